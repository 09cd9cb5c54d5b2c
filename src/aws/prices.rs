//! The price table: the versioned `data/prices/v1.toml`, where every figure has its date and
//! source, and an explicit `not_published` or `not_found` entry where there is none for a
//! Region. What the figures are multiplied by is in `explain::cost`.

use super::region::Partition;
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
        for info in crate::aws::region::all() {
            let entries = entries_for(&info.name, info.partition);
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
                crate::aws::region::lookup(region).is_some(),
                "{region} is not in the Region table"
            );
        }
    }

    /// Figures the commercial table states once never stand in for China or GovCloud: those
    /// Regions carry every item themselves.
    #[test]
    fn other_partitions_have_their_own_entries() {
        for info in crate::aws::region::all()
            .iter()
            .filter(|i| i.partition != Partition::Aws)
        {
            let own = table().regions.get(&info.name);
            for item in ITEMS {
                assert!(
                    own.and_then(|e| e.get(item)).is_some(),
                    "{}: {item} needs its own entry (the commercial figures do not apply)",
                    info.name
                );
            }
        }
    }
}
