//! The price table: the versioned `data/prices/v1.toml`, where every figure has its date and
//! source, and an explicit "no figure" entry where AWS publishes none for a Region. What the
//! figures are multiplied by is in `explain::cost`.

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
}

/// An explicit "no figure" entry: why there is none (AWS does not publish the item for the
/// Region, publishes it in another currency, or it was not read yet) and where to look.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoPrice {
    /// Why there is no figure.
    pub none: String,
    pub as_of: String,
    pub source: String,
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
];

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
            let dated = |d: &str| {
                let d: Vec<&str> = d.split('-').collect();
                d.len() == 3 && d.iter().all(|x| x.chars().all(|c| c.is_ascii_digit()))
            };
            for entry in ITEMS.iter().filter_map(|i| p.get(i)) {
                let price = match entry {
                    Entry::Price(price) => price,
                    Entry::None(none) => {
                        assert!(!none.none.is_empty(), "{region}: {none:?}");
                        assert!(dated(&none.as_of), "{region}: {none:?}");
                        assert!(none.source.starts_with("https://"), "{region}: {none:?}");
                        continue;
                    }
                };
                assert!(price.usd > 0.0, "{region}: {price:?}");
                let d: Vec<&str> = price.as_of.split('-').collect();
                assert!(
                    d.len() == 3 && d.iter().all(|x| x.chars().all(|c| c.is_ascii_digit())),
                    "{region}: date {}",
                    price.as_of
                );
                assert!(
                    price.source.starts_with("https://aws.amazon.com/"),
                    "{region}: {}",
                    price.source
                );
                if let Some(r) = &price.read_at {
                    assert!(r.starts_with("https://"), "{region}: {r}");
                }
            }
        }
    }

    /// Every Region smgen knows has, for every priced item, a figure or an explicit entry
    /// saying why there is none (with the page to read it from), never a silent gap.
    #[test]
    fn priced_items_have_an_entry_per_region() {
        for info in crate::aws::region::all() {
            let entries = entries_for(info.name, info.partition);
            for item in ITEMS {
                assert!(
                    entries.get(item).is_some(),
                    "{}: no entry for {item} (add a figure or a `none` entry)",
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
}
