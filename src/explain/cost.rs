//! Monthly baseline cost of the network and encryption choices: NAT gateways, interface
//! endpoints (billed per endpoint per Availability Zone), the KMS key, and the per-GB charges
//! (NAT and endpoint data processing, flow-log ingestion) shown apart from the baseline. Prices
//! come from the versioned table `data/prices/v1.toml`, where every figure has its date and
//! source; a region or item without a figure is reported as such, never estimated.
//!
//! Billing rules (AWS pricing pages): NAT gateways are billed per gateway-hour plus per GB
//! processed (aws.amazon.com/vpc/pricing); interface endpoints per endpoint per AZ-hour plus per
//! GB processed, gateway endpoints are free (aws.amazon.com/privatelink/pricing); a customer
//! managed key is billed per month, each automatic rotation adds a month charge for the new
//! backing key, AWS managed keys are free (aws.amazon.com/kms/pricing); flow logs delivered to
//! CloudWatch Logs are billed per GB ingested (aws.amazon.com/cloudwatch/pricing); a trail's
//! first copy of management events is free, an additional copy (another trail of the account
//! already records them) and data events are billed per 100,000 events
//! (aws.amazon.com/cloudtrail/pricing); S3 storage of the log files is not in the price table
//! and is said to have no figure.

pub use crate::aws::prices::{Entry, ITEMS, NoPrice, Price, RegionEntries, RegionPrices};
pub use crate::aws::prices::{PriceTable, entries_for, prices_for, table};

use crate::aws::endpoints::EndpointKind;
use crate::model::Model;
use crate::spec::{KmsMode, Nat};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Charge {
    /// Billed every month whatever the traffic: part of the baseline.
    Monthly,
    /// Billed per unit of use (GB, requests): shown apart, multiplied only by an assumption.
    PerUse,
}

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// Stable key (`nat-gateways`, `interface-endpoints`, …).
    pub item: &'static str,
    pub what: String,
    pub charge: Charge,
    /// How many units a month (`None` for per-use charges without a traffic assumption).
    pub quantity: Option<f64>,
    pub unit: &'static str,
    /// `None`: no figure for this region in the price table.
    pub unit_price: Option<Price>,
    /// Without a figure, why: `not published: …` (AWS gives none for the Region), `not found:
    /// …` (no copy was found), `not read: …` (the table has no such item).
    pub no_figure: Option<String>,
    /// `quantity × unit price`, when both are known.
    pub monthly_usd: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    pub region: String,
    pub price_table: String,
    pub currency: String,
    pub hours_per_month: f64,
    /// The assumed GB per month through NAT (or, without NAT, the interface endpoints).
    pub traffic_gb: Option<f64>,
    pub lines: Vec<Line>,
    /// Sum of the monthly lines; `None` when one of them has no price figure.
    pub baseline_usd: Option<f64>,
    /// Sum of the monthly lines that have a price figure.
    pub priced_baseline_usd: f64,
    /// Sum of the per-use lines the traffic assumption prices, `None` without one or a figure.
    pub traffic_usd: Option<f64>,
    /// Items without a figure for this region.
    pub missing: Vec<&'static str>,
}

/// Why a line has no figure when the price table has no such item (S3 storage).
pub const NOT_AN_ITEM: &str = "not read: not an item of smgen's price table";

/// The monthly estimate for a model; `traffic_gb` is an optional assumption of GB per month
/// leaving the VPC through NAT (or, without NAT, through the interface endpoints).
pub fn estimate(model: &Model, traffic_gb: Option<f64>) -> Estimate {
    let t = table();
    let hours = t.hours_per_month;
    let mut lines = vec![];
    let entries = entries_for(&model.region, model.partition);
    // A figure, or what the table says instead: never a guess.
    let lookup = |key: Option<&str>| -> (Option<Price>, Option<String>) {
        match key.and_then(|k| entries.get(k)) {
            Some(Entry::Price(p)) => (Some(p.clone()), None),
            Some(Entry::None(n)) => (
                None,
                Some(match (&n.not_published, &n.not_found) {
                    (Some(r), _) => format!("not published: {r}"),
                    (_, Some(r)) => format!("not found: {r}"),
                    _ => "no figure".into(),
                }),
            ),
            None => (
                None,
                Some(match key {
                    Some(k) => format!("not read: the price table has no entry {k} here"),
                    None => NOT_AN_ITEM.into(),
                }),
            ),
        }
    };
    let mut line = |item, what: String, charge, quantity: Option<f64>, unit, key: Option<&str>| {
        let (price, no_figure) = lookup(key);
        let monthly_usd = match (quantity, &price) {
            (Some(q), Some(pr)) => Some(round(q * pr.usd)),
            _ => None,
        };
        lines.push(Line {
            item,
            what,
            charge,
            quantity,
            unit,
            unit_price: price,
            no_figure,
            monthly_usd,
        });
    };

    let zones = az_count(model);
    let nats = match model.network.created.as_ref().map(|c| c.nat) {
        Some(Nat::Single) => 1,
        Some(Nat::PerAz) => zones,
        _ => 0,
    };
    let interface = model
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::Interface)
        .count();
    if nats > 0 {
        line(
            "nat-gateways",
            format!("{nats} NAT gateway{}", plural(nats)),
            Charge::Monthly,
            Some((nats as f64) * hours),
            "gateway-hour",
            Some("nat_gateway_hour"),
        );
    }
    if interface > 0 {
        line(
            "interface-endpoints",
            format!(
                "{interface} interface endpoint{} × {zones} AZ{}",
                plural(interface),
                plural(zones)
            ),
            Charge::Monthly,
            Some((interface * zones) as f64 * hours),
            "endpoint-AZ-hour",
            Some("interface_endpoint_az_hour"),
        );
    }
    if model.kms.mode == KmsMode::Create {
        line(
            "kms-key",
            "1 customer managed KMS key".into(),
            Charge::Monthly,
            Some(1.0),
            "key-month",
            Some("kms_key_month"),
        );
    }
    if nats > 0 {
        line(
            "nat-data",
            "NAT gateway data processing".into(),
            Charge::PerUse,
            traffic_gb,
            "GB",
            Some("nat_gateway_gb"),
        );
    }
    if interface > 0 {
        line(
            "endpoint-data",
            "interface endpoint data processing".into(),
            Charge::PerUse,
            if nats > 0 { None } else { traffic_gb },
            "GB",
            Some("interface_endpoint_gb"),
        );
    }
    if model.kms.mode != KmsMode::AwsManaged {
        line(
            "kms-requests",
            "KMS requests (S3 bucket keys keep them few)".into(),
            Charge::PerUse,
            None,
            "10,000 requests",
            Some("kms_10k_requests"),
        );
    }
    let kept = model.audit.log_retention_days;
    if model.network.flow_logs {
        line(
            "flow-logs",
            "VPC flow logs ingested into CloudWatch Logs".into(),
            Charge::PerUse,
            None,
            "GB ingested",
            Some("logs_ingestion_gb"),
        );
        line(
            "flow-logs-storage",
            format!("flow logs kept in CloudWatch Logs ({kept} days)"),
            Charge::PerUse,
            None,
            "GB-month stored",
            Some("logs_storage_gb_month"),
        );
    }
    if let Some(t) = &model.audit.trail {
        line(
            "trail-management-events",
            "trail management events, as the account's first copy (free)".into(),
            Charge::PerUse,
            None,
            "100,000 events",
            Some("cloudtrail_management_first_copy_100k"),
        );
        line(
            "trail-management-extra-copy",
            "trail management events, as an additional copy (when another trail of the \
             account already records them)"
                .into(),
            Charge::PerUse,
            None,
            "100,000 events",
            Some("cloudtrail_management_extra_copy_100k"),
        );
        let data: Vec<&str> = t
            .selectors
            .iter()
            .filter(|s| s.data)
            .map(|s| s.name.as_str())
            .collect();
        if !data.is_empty() {
            line(
                "trail-data-events",
                format!("trail data events: {}", data.join("; ")),
                Charge::PerUse,
                None,
                "100,000 events",
                Some("cloudtrail_data_events_100k"),
            );
        }
        line(
            "trail-storage",
            format!(
                "trail log files kept in S3 ({} days; S3 storage is not in the price table)",
                t.retention_days
            ),
            Charge::PerUse,
            None,
            "GB-month stored",
            None,
        );
        if t.cloudwatch.is_some() {
            line(
                "trail-logs",
                "trail events ingested into CloudWatch Logs".into(),
                Charge::PerUse,
                None,
                "GB ingested",
                Some("logs_ingestion_gb"),
            );
            line(
                "trail-logs-storage",
                format!("trail events kept in CloudWatch Logs ({kept} days)"),
                Charge::PerUse,
                None,
                "GB-month stored",
                Some("logs_storage_gb_month"),
            );
        }
    }

    let sum = |charge: Charge| -> Option<f64> {
        let mut total = 0.0;
        for l in lines.iter().filter(|l| l.charge == charge) {
            match (l.quantity, l.monthly_usd) {
                (Some(_), Some(v)) => total += v,
                (Some(_), None) => return None,
                (None, _) => {}
            }
        }
        Some(round(total))
    };
    let baseline_usd = sum(Charge::Monthly);
    let priced_baseline_usd = round(
        lines
            .iter()
            .filter(|l| l.charge == Charge::Monthly)
            .filter_map(|l| l.monthly_usd)
            .sum(),
    );
    let traffic_usd = traffic_gb.and_then(|_| sum(Charge::PerUse));
    // What the table lacks for this Region; an item the table does not price at all is said on
    // its line ("not read"), not counted as this Region's gap.
    let missing = lines
        .iter()
        .filter(|l| l.unit_price.is_none() && l.no_figure.as_deref() != Some(NOT_AN_ITEM))
        .map(|l| l.item)
        .collect();
    Estimate {
        region: model.region.clone(),
        price_table: format!("v{} ({})", t.version, t.date),
        currency: t.currency.clone(),
        hours_per_month: hours,
        traffic_gb,
        lines,
        baseline_usd,
        priced_baseline_usd,
        traffic_usd,
        missing,
    }
}

/// Availability Zones the endpoints and NAT gateways span: the created zones, or the subnets of
/// an existing VPC (one per AZ is the expected layout).
fn az_count(model: &Model) -> usize {
    match &model.network.created {
        Some(c) => c.zones.len(),
        None => model.network.private_subnets.len().max(1),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// `$1,234.50`
pub fn usd(v: f64) -> String {
    let cents = (v * 100.0).round() as i64;
    let (whole, frac) = (cents / 100, cents % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("${grouped}.{frac:02}")
}

/// A unit price: `$0.045` (as many decimals as the figure has, at least two).
pub fn unit_usd(v: f64) -> String {
    let s = format!("{v}");
    match s.split_once('.') {
        Some((_, d)) if d.len() >= 2 => format!("${s}"),
        _ => format!("${v:.2}"),
    }
}

impl Estimate {
    /// One line for the wizard's summary and the terminal.
    pub fn summary(&self) -> String {
        let fixed: Vec<&Line> = self
            .lines
            .iter()
            .filter(|l| l.charge == Charge::Monthly)
            .collect();
        let per_gb: Vec<String> = self
            .lines
            .iter()
            .filter(|l| l.charge == Charge::PerUse && l.unit == "GB")
            .filter_map(|l| {
                l.unit_price
                    .as_ref()
                    .map(|p| format!("{}/GB {}", unit_usd(p.usd), short(l.item)))
            })
            .collect();
        let priced: Vec<String> = fixed
            .iter()
            .filter_map(|l| l.monthly_usd.map(|v| format!("{} {}", l.what, usd(v))))
            .collect();
        let unpriced: Vec<&str> = fixed
            .iter()
            .filter(|l| l.monthly_usd.is_none())
            .map(|l| l.what.as_str())
            .collect();
        let mut s = match (priced.is_empty(), unpriced.is_empty()) {
            (true, true) => "monthly baseline ≈ $0.00 (no NAT gateway, interface endpoint or \
                             customer managed key)"
                .to_string(),
            (false, true) => format!(
                "monthly baseline ≈ {} ({})",
                usd(self.priced_baseline_usd),
                priced.join(", ")
            ),
            // Never a bare total while something is unpriced: a lower bound, and what it lacks.
            (false, false) => format!(
                "monthly baseline ≥ {} ({}, plus {} with no price figure)",
                usd(self.priced_baseline_usd),
                priced.join(", "),
                unpriced.join(", "),
            ),
            (true, false) => format!(
                "monthly baseline ≥ $0.00 ({} with no price figure)",
                unpriced.join(", ")
            ),
        };
        if !per_gb.is_empty() {
            s.push_str(&format!(" + {}", per_gb.join(", ")));
        }
        if let (Some(gb), Some(v)) = (self.traffic_gb, self.traffic_usd) {
            s.push_str(&format!("; {gb} GB/month adds {}", usd(v)));
        }
        if !self.missing.is_empty() {
            let n = self.missing.len();
            s.push_str(&format!(
                "; {n} item{} {} no price for {}",
                plural(n),
                if n == 1 { "has" } else { "have" },
                self.region
            ));
        }
        s
    }
}

fn short(item: &str) -> &'static str {
    match item {
        "nat-data" => "through NAT",
        "endpoint-data" => "through endpoints",
        "flow-logs" => "of flow logs",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_formats() {
        assert_eq!(usd(1234.5), "$1,234.50");
        assert_eq!(usd(0.0), "$0.00");
        assert_eq!(usd(65.7), "$65.70");
        assert_eq!(unit_usd(0.045), "$0.045");
        assert_eq!(unit_usd(1.0), "$1.00");
        assert_eq!(unit_usd(0.5), "$0.50");
    }
}
