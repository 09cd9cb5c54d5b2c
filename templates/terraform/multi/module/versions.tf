terraform {
  # A module names the providers it needs; Terraform's own version is pinned by the roots that
  # call it (environments/*/versions.tf), and the provider is configured there (no provider
  # block in a module: a root sets the Region, the account guard and the default tags).
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}
