//! The audit answers: the trail's retention and the log groups' retention.

use super::super::{CloudTrail, Spec};
use crate::error::{Error, Result};

/// The retention periods CloudWatch Logs accepts (CloudWatch Logs API Reference,
/// PutRetentionPolicy, `retentionInDays`; the AWS provider's `aws_cloudwatch_log_group`
/// validates `retention_in_days` against the same list).
pub const LOG_RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// The longest trail retention smgen writes: a hundred years. S3 lifecycle expiration takes any
/// positive number of days; the bound only catches a misplaced digit.
pub const MAX_TRAIL_RETENTION_DAYS: u32 = 36_500;

impl Spec {
    pub(super) fn validate_audit(&self) -> Result<()> {
        let a = &self.audit;
        if !LOG_RETENTION_DAYS.contains(&a.log_retention_days) {
            let allowed: Vec<String> = LOG_RETENTION_DAYS.iter().map(u32::to_string).collect();
            return Err(Error::invalid(
                "audit.log_retention_days",
                a.log_retention_days,
                "not a retention period CloudWatch Logs accepts",
                format!("one of {}", allowed.join(", ")),
            ));
        }
        if !(1..=MAX_TRAIL_RETENTION_DAYS).contains(&a.trail_retention_days) {
            return Err(Error::invalid(
                "audit.trail_retention_days",
                a.trail_retention_days,
                "out of range",
                format!("1 to {MAX_TRAIL_RETENTION_DAYS} days"),
            ));
        }
        if a.cloudwatch_logs && a.cloudtrail != CloudTrail::Create {
            return Err(Error::invalid(
                "audit.cloudwatch_logs",
                "true",
                "only a trail smgen creates can be delivered to CloudWatch Logs",
                "audit.cloudtrail = \"create\", or audit.cloudwatch_logs = false",
            ));
        }
        Ok(())
    }
}
