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
//! CloudWatch Logs are billed per GB ingested (aws.amazon.com/cloudwatch/pricing).

use crate::model::Model;
use crate::model::endpoints::EndpointKind;
use crate::model::region::Partition;
use crate::spec::{KmsMode, Nat};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

static TABLE_TOML: &str = include_str!("../../data/prices/v1.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub usd: f64,
    /// When the figure was read (YYYY-MM-DD).
    pub as_of: String,
    /// The AWS pricing page that is the authority for the figure.
    pub source: String,
    /// The public page the figure was read from, when it is not `source`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_at: Option<String>,
    /// How the copy read was dated ("as stored in …, undated; read …"), when it is not plain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An explicit "no figure" entry, one of two kinds, and the AWS page that is the authority:
/// `not_published`, AWS's page gives no USD figure for the Region (the item does not exist
/// there, or is priced in another currency only), saying which; `not_found`, AWS publishes a
/// figure but no copy of it was found in the sources searched, saying what was searched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoPrice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_found: Option<String>,
    pub as_of: String,
    pub source: String,
}

impl NoPrice {
    /// The reason given, whichever kind the entry is.
    pub fn reason(&self) -> Option<&str> {
        self.not_published.as_deref().or(self.not_found.as_deref())
    }
}

/// One item of a Region's table: a figure, or an explicit entry saying there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Entry {
    Price(Price),
    None(NoPrice),
}

/// The items every Region's table has an entry for (`priced_items_have_an_entry_per_region`).
pub const ITEMS: &[&str] = &[
    "nat_gateway_hour",
    "nat_gateway_gb",
    "interface_endpoint_az_hour",
    "interface_endpoint_gb",
    "kms_key_month",
    "kms_10k_requests",
    "logs_ingestion_gb",
    "logs_storage_gb_month",
    "cloudtrail_management_first_copy_100k",
    "cloudtrail_management_extra_copy_100k",
    "cloudtrail_data_events_100k",
];

/// Items whose list price is zero (CloudTrail delivers the first copy of management events free).
pub const FREE_ITEMS: &[&str] = &["cloudtrail_management_first_copy_100k"];

/// A Region's entries as written in the table (figures and explicit "no figure" entries).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionEntries {
    pub nat_gateway_hour: Option<Entry>,
    pub nat_gateway_gb: Option<Entry>,
    pub interface_endpoint_az_hour: Option<Entry>,
    pub interface_endpoint_gb: Option<Entry>,
    pub kms_key_month: Option<Entry>,
    pub kms_10k_requests: Option<Entry>,
    /// Vended logs (VPC flow logs) delivered to CloudWatch Logs, first tier.
    pub logs_ingestion_gb: Option<Entry>,
    /// CloudWatch Logs archival storage.
    pub logs_storage_gb_month: Option<Entry>,
    /// CloudTrail, for the audit capability (not priced by `estimate` yet): the first copy of
    /// management events, additional copies and data events, each per 100,000 events.
    pub cloudtrail_management_first_copy_100k: Option<Entry>,
    pub cloudtrail_management_extra_copy_100k: Option<Entry>,
    pub cloudtrail_data_events_100k: Option<Entry>,
}

impl RegionEntries {
    pub fn get(&self, item: &str) -> Option<&Entry> {
        match item {
            "nat_gateway_hour" => self.nat_gateway_hour.as_ref(),
            "nat_gateway_gb" => self.nat_gateway_gb.as_ref(),
            "interface_endpoint_az_hour" => self.interface_endpoint_az_hour.as_ref(),
            "interface_endpoint_gb" => self.interface_endpoint_gb.as_ref(),
            "kms_key_month" => self.kms_key_month.as_ref(),
            "kms_10k_requests" => self.kms_10k_requests.as_ref(),
            "logs_ingestion_gb" => self.logs_ingestion_gb.as_ref(),
            "logs_storage_gb_month" => self.logs_storage_gb_month.as_ref(),
            "cloudtrail_management_first_copy_100k" => {
                self.cloudtrail_management_first_copy_100k.as_ref()
            }
            "cloudtrail_management_extra_copy_100k" => {
                self.cloudtrail_management_extra_copy_100k.as_ref()
            }
            "cloudtrail_data_events_100k" => self.cloudtrail_data_events_100k.as_ref(),
            _ => None,
        }
    }

    /// This table's entries, completed from `fallback` where it has none.
    fn or(&self, fallback: &RegionEntries) -> RegionEntries {
        let pick = |a: &Option<Entry>, b: &Option<Entry>| a.clone().or_else(|| b.clone());
        RegionEntries {
            nat_gateway_hour: pick(&self.nat_gateway_hour, &fallback.nat_gateway_hour),
            nat_gateway_gb: pick(&self.nat_gateway_gb, &fallback.nat_gateway_gb),
            interface_endpoint_az_hour: pick(
                &self.interface_endpoint_az_hour,
                &fallback.interface_endpoint_az_hour,
            ),
            interface_endpoint_gb: pick(
                &self.interface_endpoint_gb,
                &fallback.interface_endpoint_gb,
            ),
            kms_key_month: pick(&self.kms_key_month, &fallback.kms_key_month),
            kms_10k_requests: pick(&self.kms_10k_requests, &fallback.kms_10k_requests),
            logs_ingestion_gb: pick(&self.logs_ingestion_gb, &fallback.logs_ingestion_gb),
            logs_storage_gb_month: pick(
                &self.logs_storage_gb_month,
                &fallback.logs_storage_gb_month,
            ),
            cloudtrail_management_first_copy_100k: pick(
                &self.cloudtrail_management_first_copy_100k,
                &fallback.cloudtrail_management_first_copy_100k,
            ),
            cloudtrail_management_extra_copy_100k: pick(
                &self.cloudtrail_management_extra_copy_100k,
                &fallback.cloudtrail_management_extra_copy_100k,
            ),
            cloudtrail_data_events_100k: pick(
                &self.cloudtrail_data_events_100k,
                &fallback.cloudtrail_data_events_100k,
            ),
        }
    }

    /// The figures alone.
    fn prices(&self) -> RegionPrices {
        let price = |e: &Option<Entry>| match e {
            Some(Entry::Price(p)) => Some(p.clone()),
            _ => None,
        };
        RegionPrices {
            nat_gateway_hour: price(&self.nat_gateway_hour),
            nat_gateway_gb: price(&self.nat_gateway_gb),
            interface_endpoint_az_hour: price(&self.interface_endpoint_az_hour),
            interface_endpoint_gb: price(&self.interface_endpoint_gb),
            kms_key_month: price(&self.kms_key_month),
            kms_10k_requests: price(&self.kms_10k_requests),
            logs_ingestion_gb: price(&self.logs_ingestion_gb),
            logs_storage_gb_month: price(&self.logs_storage_gb_month),
        }
    }
}

/// A Region's figures (items without one are `None`).
#[derive(Debug, Clone, Default)]
pub struct RegionPrices {
    pub nat_gateway_hour: Option<Price>,
    pub nat_gateway_gb: Option<Price>,
    pub interface_endpoint_az_hour: Option<Price>,
    pub interface_endpoint_gb: Option<Price>,
    pub kms_key_month: Option<Price>,
    pub kms_10k_requests: Option<Price>,
    pub logs_ingestion_gb: Option<Price>,
    pub logs_storage_gb_month: Option<Price>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTable {
    pub version: String,
    pub date: String,
    pub currency: String,
    pub hours_per_month: f64,
    /// Figures stated once for every commercial-partition Region.
    pub commercial: RegionEntries,
    pub regions: BTreeMap<String, RegionEntries>,
}

/// A Region's entries: its own, then the commercial-partition ones.
pub fn entries_for(region: &str, partition: Partition) -> RegionEntries {
    let t = table();
    let own = t.regions.get(region).cloned().unwrap_or_default();
    if partition == Partition::Aws {
        own.or(&t.commercial)
    } else {
        own
    }
}

/// The figures for a region: its own, then the commercial-partition ones.
pub fn prices_for(region: &str, partition: Partition) -> RegionPrices {
    entries_for(region, partition).prices()
}

/// The embedded price table (parsed once; a malformed table fails the unit tests).
pub fn table() -> &'static PriceTable {
    static T: OnceLock<PriceTable> = OnceLock::new();
    T.get_or_init(|| toml::from_str(TABLE_TOML).expect("data/prices/v1.toml parses"))
}

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

/// The monthly estimate for a model; `traffic_gb` is an optional assumption of GB per month
/// leaving the VPC through NAT (or, without NAT, through the interface endpoints).
pub fn estimate(model: &Model, traffic_gb: Option<f64>) -> Estimate {
    let t = table();
    let p = &prices_for(&model.region, model.partition);
    let hours = t.hours_per_month;
    let mut lines = vec![];
    let mut line =
        |item, what: String, charge, quantity: Option<f64>, unit, price: &Option<Price>| {
            let monthly_usd = match (quantity, price) {
                (Some(q), Some(pr)) => Some(round(q * pr.usd)),
                _ => None,
            };
            lines.push(Line {
                item,
                what,
                charge,
                quantity,
                unit,
                unit_price: price.clone(),
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
            &p.nat_gateway_hour,
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
            &p.interface_endpoint_az_hour,
        );
    }
    if model.kms.mode == KmsMode::Create {
        line(
            "kms-key",
            "1 customer managed KMS key".into(),
            Charge::Monthly,
            Some(1.0),
            "key-month",
            &p.kms_key_month,
        );
    }
    if nats > 0 {
        line(
            "nat-data",
            "NAT gateway data processing".into(),
            Charge::PerUse,
            traffic_gb,
            "GB",
            &p.nat_gateway_gb,
        );
    }
    if interface > 0 {
        line(
            "endpoint-data",
            "interface endpoint data processing".into(),
            Charge::PerUse,
            if nats > 0 { None } else { traffic_gb },
            "GB",
            &p.interface_endpoint_gb,
        );
    }
    if model.kms.mode != KmsMode::AwsManaged {
        line(
            "kms-requests",
            "KMS requests (S3 bucket keys keep them few)".into(),
            Charge::PerUse,
            None,
            "10,000 requests",
            &p.kms_10k_requests,
        );
    }
    if model.network.flow_logs {
        line(
            "flow-logs",
            "VPC flow logs ingested into CloudWatch Logs".into(),
            Charge::PerUse,
            None,
            "GB ingested",
            &p.logs_ingestion_gb,
        );
        line(
            "flow-logs-storage",
            "flow logs kept in CloudWatch Logs (365 days)".into(),
            Charge::PerUse,
            None,
            "GB-month stored",
            &p.logs_storage_gb_month,
        );
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
    let missing = lines
        .iter()
        .filter(|l| l.unit_price.is_none())
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

    fn dated(d: &str) -> bool {
        let d: Vec<&str> = d.split('-').collect();
        d.len() == 3 && d.iter().all(|x| x.chars().all(|c| c.is_ascii_digit()))
    }

    #[test]
    fn every_figure_has_a_date_and_a_public_source() {
        let t = table();
        assert_eq!(t.currency, "USD");
        assert!(!t.regions.is_empty());
        let commercial = "commercial".to_string();
        let all = t
            .regions
            .iter()
            .chain(std::iter::once((&commercial, &t.commercial)));
        for (region, p) in all {
            for item in ITEMS {
                let Some(entry) = p.get(item) else { continue };
                let price = match entry {
                    Entry::Price(price) => price,
                    Entry::None(none) => {
                        // Exactly one kind: not published by AWS, or not found where searched.
                        assert!(
                            none.not_published.is_some() != none.not_found.is_some(),
                            "{region} {item}: one of not_published / not_found: {none:?}"
                        );
                        assert!(
                            none.reason().is_some_and(|r| !r.trim().is_empty()),
                            "{region} {item}: {none:?}"
                        );
                        if let Some(searched) = &none.not_found {
                            assert!(
                                searched.starts_with("searched"),
                                "{region} {item}: a not_found entry says what was searched: {searched}"
                            );
                        }
                        assert!(dated(&none.as_of), "{region} {item}: {none:?}");
                        assert!(
                            none.source.starts_with("https://"),
                            "{region} {item}: {none:?}"
                        );
                        continue;
                    }
                };
                if FREE_ITEMS.contains(item) {
                    assert!(price.usd >= 0.0, "{region} {item}: {price:?}");
                } else {
                    assert!(price.usd > 0.0, "{region} {item}: {price:?}");
                }
                assert!(dated(&price.as_of), "{region} {item}: date {}", price.as_of);
                assert!(
                    price.source.starts_with("https://aws.amazon.com/"),
                    "{region} {item}: {}",
                    price.source
                );
                if let Some(r) = &price.read_at {
                    assert!(r.starts_with("https://"), "{region} {item}: {r}");
                }
                if let Some(n) = &price.note {
                    assert!(!n.trim().is_empty(), "{region} {item}: empty note");
                }
            }
        }
    }

    /// Every Region smgen knows has, for every priced item, a figure with its source and date,
    /// or an explicit `not_published` / `not_found` entry with its source, never a silent gap.
    #[test]
    fn priced_items_have_an_entry_per_region() {
        for info in crate::model::region::all() {
            let entries = entries_for(info.name, info.partition);
            for item in ITEMS {
                assert!(
                    entries.get(item).is_some(),
                    "{}: no entry for {item} (add a figure, or a `not_published` or `not_found` entry)",
                    info.name
                );
            }
        }
        // And no table names a Region smgen does not know.
        for region in table().regions.keys() {
            assert!(
                crate::model::region::lookup(region).is_some(),
                "{region} is not in the Region table"
            );
        }
    }

    /// Figures the commercial table states once never stand in for China or GovCloud: those
    /// Regions carry every item themselves.
    #[test]
    fn other_partitions_have_their_own_entries() {
        for info in crate::model::region::all()
            .iter()
            .filter(|i| i.partition != Partition::Aws)
        {
            let own = table().regions.get(info.name);
            for item in ITEMS {
                assert!(
                    own.and_then(|e| e.get(item)).is_some(),
                    "{}: {item} needs its own entry (the commercial figures do not apply)",
                    info.name
                );
            }
        }
    }

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
