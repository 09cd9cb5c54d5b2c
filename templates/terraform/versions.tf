terraform {
  # 1.7 brings mock providers, which the tests under tests/ use.
  required_version = ">= 1.7.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
