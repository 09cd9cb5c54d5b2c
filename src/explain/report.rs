//! The explanation as Markdown: the body of every generated `ARCHITECTURE.md` and the text
//! `smgen explain` prints. Table cells are escaped (`|` and newlines), since finding messages
//! and reasons are free text.

use super::cost::{Charge, unit_usd, usd};
use super::reach::{Destination, Hop};
use super::{Explanation, findings_count};
use crate::model::Severity;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn short(hop: Option<Hop>) -> &'static str {
    match hop {
        Some(Hop::InterfaceEndpoint) => "✓ endpoint",
        Some(Hop::S3Gateway) => "✓ S3 gateway",
        Some(Hop::Nat) => "✓ NAT",
        Some(Hop::SagemakerManaged) => "✓ managed",
        None => "✗",
    }
}

/// The whole report; `heading` is the title line (without `# `).
pub fn markdown(e: &Explanation, heading: &str) -> String {
    let mut s = format!("# {heading}\n\n");
    s.push_str(&format!(
        "Region `{}`, network mode `{}`. Computed by smgen from this environment's answers \
         (`smgen explain` prints it again, `--json` as data). The diagram renders on GitHub.\n\n",
        e.region,
        match e.network_mode {
            crate::spec::NetworkMode::VpcOnly => "vpc-only",
            crate::spec::NetworkMode::PublicOnly => "public-only",
        }
    ));
    s.push_str("## Diagram\n\n");
    let fence = if e.diagram.format == "mermaid" {
        "mermaid"
    } else {
        "dot"
    };
    s.push_str(&format!("```{fence}\n{}```\n\n", e.diagram.text));
    reachability(&mut s, e);
    workloads(&mut s, e);
    cross_account(&mut s, e);
    audit(&mut s, e);
    cost(&mut s, e);
    findings(&mut s, e);
    s
}

fn reachability(s: &mut String, e: &Explanation) {
    s.push_str(
        "## What can reach what\n\n\
         ✓ reachable (first hop: an interface endpoint, the S3 gateway endpoint, a NAT gateway, or \
         the SageMaker-managed network), ✗ blocked. The reasons follow the table.\n\n| from \\ to |",
    );
    for d in Destination::ALL {
        s.push_str(&format!(" {} |", d.label()));
    }
    s.push_str("\n|---|");
    for _ in Destination::ALL {
        s.push_str("---|");
    }
    s.push('\n');
    // An isolated job's data cell is blocked for the container, yet its data flows: SageMaker
    // copies it in and out (dg mkt-algo-model-internet-free).
    let copied = |r: &super::reach::Row, c: &super::reach::Cell| {
        r.source == super::reach::Source::JobsIsolated
            && c.destination == Destination::DataBucket
            && !c.reachable
    };
    let mut footnote = false;
    for r in &e.reachability.rows {
        s.push_str(&format!("| {} |", r.label));
        for c in &r.cells {
            if copied(r, c) {
                footnote = true;
                s.push_str(" ✗ copied¹ |");
            } else {
                s.push_str(&format!(" {} |", short(c.hop)));
            }
        }
        s.push('\n');
    }
    if footnote {
        s.push_str(
            "\n¹ An isolated container makes no outbound call, not even to S3, and holds no AWS \
             credentials: SageMaker copies its input data in from the bucket and its output back \
             out, with the execution role (dg mkt-algo-model-internet-free).\n",
        );
    }
    s.push('\n');
    for r in &e.reachability.rows {
        s.push_str(&format!("**{}** ({}):\n\n", r.label, cell(&r.note)));
        // A row blocked everywhere for one reason (network isolation) says it once.
        if let [first, rest @ ..] = r.cells.as_slice()
            && !first.reachable
            && rest.iter().all(|c| !c.reachable && c.via == first.via)
        {
            s.push_str(&format!("- ✗ every destination: {}\n\n", first.via));
            continue;
        }
        for c in &r.cells {
            s.push_str(&format!(
                "- {} {}: {}\n",
                if c.reachable { "✓" } else { "✗" },
                c.destination.label(),
                c.via
            ));
        }
        s.push('\n');
    }
}

fn cost(s: &mut String, e: &Explanation) {
    let c = &e.cost;
    s.push_str(&format!(
        "## Monthly cost of the network and encryption choices\n\n{}.\n\n",
        c.summary()
    ));
    s.push_str(&format!(
        "Prices: `data/prices` table {} of smgen, {} list prices for `{}`, {} hours a month; \
         compute, storage and SageMaker usage are not included.\n\n",
        c.price_table, c.currency, c.region, c.hours_per_month
    ));
    s.push_str("| item | billed | quantity | unit price | per month | price as of, source |\n|---|---|---|---|---|---|\n");
    for l in &c.lines {
        let q = l
            .quantity
            .map_or("per use".to_string(), |q| format!("{q} {}", l.unit));
        let (price, src) = match &l.unit_price {
            Some(p) => (
                format!("{} / {}", unit_usd(p.usd), l.unit),
                format!("{}, <{}>", p.as_of, p.source),
            ),
            None => (
                format!("no figure for {}", c.region),
                l.no_figure
                    .clone()
                    .unwrap_or_else(|| "not in the price table".into()),
            ),
        };
        let monthly = match (l.monthly_usd, l.charge) {
            (Some(v), _) => usd(v),
            (None, Charge::PerUse) if l.quantity.is_none() => "depends on use".into(),
            (None, _) => "unknown".into(),
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            cell(&l.what),
            match l.charge {
                Charge::Monthly => "monthly",
                Charge::PerUse => "per use",
            },
            q,
            price,
            monthly,
            src
        ));
    }
    if c.lines.is_empty() {
        s.push_str("| (none) | | | | $0.00 | |\n");
    }
    s.push_str(
        "\nThe S3 gateway endpoint has no charge. Automatic rotation of a customer managed key \
         adds key-months as new key material accrues (KMS pricing page).",
    );
    if !c.missing.is_empty() {
        s.push_str(&format!(
            " The price table has no figure for `{}` in {}: look them up on the AWS pricing pages \
             rather than trusting an estimate from another Region.",
            c.missing.join("`, `"),
            c.region
        ));
    }
    s.push_str("\n\n");
}

/// `needs.studio`, `needs.pip = "codeartifact"`, or "every environment".
pub fn need_label(need: &str) -> String {
    match need {
        "always" => "every environment".into(),
        n => match n.split_once('.') {
            Some((key, value)) => format!("`needs.{key} = \"{value}\"`"),
            None => format!("`needs.{n}`"),
        },
    }
}

/// The intro both reports print above the workloads.
pub const WORKLOADS_INTRO: &str = "Per declared need: who may call which actions, the generated \
    document that grants them, and where each call goes. A call succeeds only if every layer \
    allows it: the grant, the execution role's permissions boundary \
    (`policies/permissions-boundary.json`), no deny in the guardrails or the SCP \
    (`policies/guardrails*.json`, `policies/scp-*.json`), the policy of the endpoint on its path, \
    and the bucket and key policies. smgen's validation harness simulates every need's calls \
    through all of them.";

fn workloads(s: &mut String, e: &Explanation) {
    s.push_str(&format!(
        "## What each workload may do

{WORKLOADS_INTRO}

"
    ));
    for w in &e.workloads {
        s.push_str(&format!(
            "### {} ({})

",
            w.title,
            need_label(&w.need)
        ));
        s.push_str("| who | actions | granted by | path |\n|---|---|---|---|\n");
        for g in &w.grants {
            let actions: Vec<String> = g.actions.iter().map(|a| format!("`{a}`")).collect();
            let docs: Vec<String> = g.documents.iter().map(|d| format!("`{d}`")).collect();
            let paths: Vec<String> = g.paths.iter().map(|p| p.describe()).collect();
            s.push_str(&format!(
                "| {} | {} | {} (`{}`) | {} |\n",
                g.principal.label(),
                actions.join(", "),
                docs.join(", "),
                g.sid,
                cell(&paths.join("; "))
            ));
        }
        s.push('\n');
    }
}

/// The introduction of the section on buckets of other accounts (Markdown and terminal text).
pub const CROSS_ACCOUNT_INTRO: &str = "A request to a bucket of another account needs an Allow \
    from both accounts: this environment's layers below, and the owner's bucket policy (and key \
    policy for SSE-KMS), whose statements smgen writes for the owner to add \
    (https://repost.aws/knowledge-center/cross-account-access-denied-error-s3).";

fn cross_account(s: &mut String, e: &Explanation) {
    if e.cross_account.is_empty() {
        return;
    }
    s.push_str(&format!(
        "## Buckets of other accounts\n\n{CROSS_ACCOUNT_INTRO}\n\n"
    ));
    for p in &e.cross_account {
        s.push_str(&format!("### `{}` (account {})\n\n", p.bucket, p.account));
        for (i, st) in p.steps.iter().enumerate() {
            s.push_str(&format!(
                "{}. **{}**: {}\n",
                i + 1,
                cell(&st.at),
                cell(&st.decided_by)
            ));
        }
        s.push('\n');
    }
}

fn audit(s: &mut String, e: &Explanation) {
    s.push_str(&format!(
        "## Audit: what is recorded, where, for how long, who can delete it\n\n`audit.cloudtrail = \"{}\"`.\n\n",
        match e.audit.cloudtrail {
            crate::spec::CloudTrail::Create => "create",
            crate::spec::CloudTrail::Organization => "organization",
            crate::spec::CloudTrail::None => "none",
        }
    ));
    s.push_str("| what | where | kept | encryption | who can delete it |\n|---|---|---|---|---|\n");
    for r in &e.audit.records {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(&r.what),
            cell(&r.location),
            r.retention_days
                .map_or("not set here".to_string(), |d| format!("{d} days")),
            cell(&r.encryption),
            cell(&r.deletion)
        ));
    }
    s.push('\n');
}

fn findings(s: &mut String, e: &Explanation) {
    s.push_str(&format!(
        "## Findings\n\n{}.\n\n",
        findings_count(&e.findings)
    ));
    if e.findings.is_empty() {
        return;
    }
    s.push_str("| severity | choice | what breaks or changes | source |\n|---|---|---|---|\n");
    let mut f: Vec<_> = e.findings.iter().collect();
    f.sort_by_key(|x| x.severity);
    for x in f {
        let sev = match x.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        s.push_str(&format!(
            "| {sev} | `{}` | {} | {} |\n",
            x.choice,
            cell(&x.message),
            cell(x.source)
        ));
    }
    s.push('\n');
}
