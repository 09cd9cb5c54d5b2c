// cdk-nag acknowledgements that follow smgen's model rather than a hand-kept list.
import * as cdk from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
// The function cdk-nag itself uses to name IAM5 findings (cdk-nag 3.0.2 has no `exports` map,
// so the module path is stable for the pinned version).
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { PolicyJson } from './policy';

/**
 * Acknowledges AwsSolutions-IAM5 (wildcard permissions) on `scope`, finding by finding
 * (`AwsSolutions-IAM5[Resource::…]`, `AwsSolutions-IAM5[Action::…]`), for the wildcards of the
 * Allow statements that smgen gave a reason for (keyed by Sid). A wildcard in a statement
 * without a reason stays a finding and fails the synth.
 */
export function acknowledgeWildcards(scope: IConstruct, json: PolicyJson, reasons: Record<string, string>): void {
  const stack = cdk.Stack.of(scope);
  for (const s of json.Statement) {
    const reason = s.Sid === undefined ? undefined : reasons[s.Sid];
    if (s.Effect !== 'Allow' || reason === undefined) {
      continue;
    }
    const findings: string[] = [];
    for (const action of [s.Action].flat()) {
      if (action.includes('*')) {
        findings.push(`Action::${action}`);
      }
    }
    for (const resource of [s.Resource ?? []].flat()) {
      const flat = flattenCfnReference(stack.resolve(resource));
      if (flat.includes('*')) {
        findings.push(`Resource::${flat}`);
      }
    }
    for (const finding of findings) {
      cdk.Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    }
  }
}

/**
 * Acknowledges AwsSolutions-IAM4 (AWS managed policies) for the AWS managed policies attached
 * to `role`, finding by finding, with `reason`.
 */
export function acknowledgeAwsManagedPolicies(role: iam.IRole, reason: string): void {
  const stack = cdk.Stack.of(role);
  const cfn = role.node.defaultChild as iam.CfnRole;
  const arns = (stack.resolve(cfn.managedPolicyArns) ?? []) as unknown[];
  for (const arn of arns) {
    const flat = flattenCfnReference(stack.resolve(arn));
    if (flat.includes(':iam::aws:')) {
      cdk.Validations.of(role).acknowledge({ id: `AwsSolutions-IAM4[Policy::${flat}]`, reason });
    }
  }
}
