// IAM documents arrive from smgen's model as JSON-shaped objects (statements built in Rust,
// never written by hand); these helpers hand them to the CDK's typed IAM classes unchanged.
import * as cdk from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';

/** A statement as IAM's JSON grammar writes it (values may hold CDK tokens). */
export interface StatementJson {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: Record<string, string | string[]>;
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** An IAM policy document as IAM's JSON grammar writes it. */
export interface PolicyJson {
  readonly Version: string;
  readonly Statement: StatementJson[];
}

/** The typed document (`iam.PolicyDocument.fromJson` keeps every Sid, so no statement is merged). */
export function document(json: PolicyJson): iam.PolicyDocument {
  return iam.PolicyDocument.fromJson(json);
}

/** The statements, for constructs that take them one by one (bucket and endpoint policies). */
export function statements(json: PolicyJson): iam.PolicyStatement[] {
  return json.Statement.map((s) => iam.PolicyStatement.fromJson(s));
}

/** The principals of a trust policy, for `iam.Role`'s `assumedBy`. */
export function trustedPrincipals(json: PolicyJson): iam.IPrincipal {
  const principals: iam.IPrincipal[] = [];
  for (const s of json.Statement) {
    for (const [kind, values] of Object.entries(s.Principal ?? {})) {
      for (const value of [values].flat()) {
        if (kind === 'Service') {
          principals.push(new iam.ServicePrincipal(value));
        } else if (kind === 'Federated') {
          principals.push(new iam.FederatedPrincipal(value));
        } else {
          principals.push(new iam.ArnPrincipal(value));
        }
      }
    }
  }
  return new iam.CompositePrincipal(...principals);
}

/**
 * Sets the role's trust policy to `json` exactly. `iam.Role` takes only principals
 * (`assumedBy`), while the model's trust policies also carry a Sid and the confused-deputy
 * conditions (aws:SourceAccount, aws:SourceArn), so the document goes on the underlying
 * CfnRole (an escape hatch: https://docs.aws.amazon.com/cdk/v2/guide/cfn-layer.html).
 */
export function setTrustPolicy(role: iam.Role, json: PolicyJson): void {
  (role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument = document(json);
}

/**
 * The log group's own ARN. CloudFormation's `Arn` attribute of a log group ends in `:*`
 * (AWS::Logs::LogGroup return values), which policies that name the group must not use.
 */
export function logGroupArn(group: logs.ILogGroup): string {
  return cdk.Stack.of(group).formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: group.logGroupName,
    arnFormat: cdk.ArnFormat.COLON_RESOURCE_NAME,
  });
}
