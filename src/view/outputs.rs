//! What each output of the environment is, in the words every format's output description uses.
//! The outputs themselves differ in shape per format (Terraform maps and lists, CloudFormation
//! one string output per bucket or group, CDK JSON strings), so a format adds how it encodes the
//! value with [`noted`] ("(comma-separated)", "(JSON)"); the prose is written once, here.

pub const VPC: &str = "The VPC of the environment.";
pub const PRIVATE_SUBNETS: &str = "Private subnets for the domain, notebooks, jobs and endpoints.";
pub const SECURITY_GROUPS: &str = "Security groups by role in the environment.";
pub const EXECUTION_ROLE: &str = "The SageMaker execution role; pass it explicitly to the SageMaker Python SDK (no get_execution_role() lookups).";
pub const KMS_KEY: &str = "The customer managed key of the environment.";
pub const BUCKETS: &str = "Buckets created for the environment.";
pub const ENDPOINTS: &str = "VPC endpoints by service key.";
pub const STUDIO_DOMAIN: &str = "The SageMaker Studio domain.";
pub const STUDIO_DOMAIN_URL: &str = "The Studio domain URL.";
pub const NOTEBOOKS: &str = "Notebook instances.";
pub const JOB_DEFAULTS: &str =
    "Settings every training, processing and hosting job of this environment should use.";
pub const ACCESS_POLICY: &str = "Attach this policy to the people who use the environment (presigned Studio and notebook URLs of this environment only).";

/// `description` with a note before its final period: `noted("Notebook instances.",
/// "comma-separated")` is `"Notebook instances (comma-separated)."`.
pub fn noted(description: &str, note: &str) -> String {
    format!("{} ({note}).", description.trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_go_before_the_period() {
        assert_eq!(
            noted(NOTEBOOKS, "comma-separated"),
            "Notebook instances (comma-separated)."
        );
        assert_eq!(
            noted(BUCKETS, "JSON"),
            "Buckets created for the environment (JSON)."
        );
    }
}
