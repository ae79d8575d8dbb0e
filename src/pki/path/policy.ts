// Certificate policy processing (RFC 5280 §6.1.2 (a)(d)(e)(f), §6.1.3 (d)-(f), §6.1.4 (a)(b)(h)-(j),
// §6.1.5 (a)(b)(g)): the valid_policy_tree and the explicit_policy / policy_mapping / inhibit_anyPolicy counters.
import {
  getCertificatePolicies,
  getInhibitAnyPolicy,
  getPolicyConstraints,
  getPolicyMappings,
} from "../extensions.js";
import { subjectOf } from "./certificate.js";
import { ANY_POLICY, PathValidationError, type CertEntry, type PathOptions } from "./types.js";

interface PolicyNode {
  policy: string;
  expected: Set<string>;
  parent: PolicyNode | undefined;
  children: PolicyNode[];
  depth: number;
}

function node(policy: string, expected: Iterable<string>, parent: PolicyNode | undefined): PolicyNode {
  const depth = parent ? parent.depth + 1 : 0;
  const n: PolicyNode = { policy, expected: new Set(expected), parent, children: [], depth };
  parent?.children.push(n);
  return n;
}

export class PolicyState {
  /** Nodes by depth; undefined once the tree is NULL. */
  private levels: PolicyNode[][] | undefined;
  private explicitPolicy: number;
  private policyMapping: number;
  private inhibitAnyPolicy: number;

  /** §6.1.2 initialisation for a path of n certificates. */
  constructor(
    n: number,
    private readonly opts: PathOptions,
  ) {
    this.levels = [[node(ANY_POLICY, [ANY_POLICY], undefined)]];
    this.explicitPolicy = opts.initialExplicitPolicy ? 0 : n + 1;
    this.policyMapping = opts.initialPolicyMappingInhibit ? 0 : n + 1;
    this.inhibitAnyPolicy = opts.initialAnyPolicyInhibit ? 0 : n + 1;
  }

  /** §6.1.3 (d)(e)(f) for certificate i (1-based) of n. */
  process(e: CertEntry, i: number, n: number, selfIssued: boolean): void {
    const policies = getCertificatePolicies(e.cert);
    if (policies && this.levels) {
      const prev = this.levels[i - 1]!;
      const level: PolicyNode[] = [];
      for (const p of policies.filter((x) => x !== ANY_POLICY)) {
        const parents = prev.filter((x) => x.expected.has(p));
        const chosen = parents.length ? parents : prev.filter((x) => x.policy === ANY_POLICY);
        for (const parent of chosen) level.push(node(p, [p], parent));
      }
      if (policies.includes(ANY_POLICY) && (this.inhibitAnyPolicy > 0 || (i < n && selfIssued))) {
        for (const parent of prev) {
          for (const p of parent.expected) {
            if (!parent.children.some((c) => c.policy === p)) level.push(node(p, [p], parent));
          }
        }
      }
      this.levels[i] = level;
      this.prune(i);
    } else {
      this.levels = undefined; // (e)
    }
    if (this.explicitPolicy <= 0 && !this.levels) {
      throw new PathValidationError(
        "policy",
        `certificate "${subjectOf(e)}": no acceptable certificate policy while an explicit policy is required (RFC 5280 §6.1.3 (f))`,
      );
    }
  }

  /** §6.1.4 (a)(b)(h)(i)(j) for certificate i of n (i < n). */
  prepare(e: CertEntry, i: number, selfIssued: boolean): void {
    const mappings = getPolicyMappings(e.cert) ?? [];
    if (mappings.some(([a, b]) => a === ANY_POLICY || b === ANY_POLICY)) {
      throw new PathValidationError(
        "policy",
        `certificate "${subjectOf(e)}" maps anyPolicy (RFC 5280 §6.1.4 (a))`,
      );
    }
    if (mappings.length && this.levels && i > 0) this.applyMappings(mappings, i);
    if (!selfIssued) {
      if (this.explicitPolicy > 0) this.explicitPolicy--;
      if (this.policyMapping > 0) this.policyMapping--;
      if (this.inhibitAnyPolicy > 0) this.inhibitAnyPolicy--;
    }
    const pc = getPolicyConstraints(e.cert);
    if (pc?.requireExplicitPolicy !== undefined) {
      this.explicitPolicy = Math.min(this.explicitPolicy, pc.requireExplicitPolicy);
    }
    if (pc?.inhibitPolicyMapping !== undefined) {
      this.policyMapping = Math.min(this.policyMapping, pc.inhibitPolicyMapping);
    }
    const iap = getInhibitAnyPolicy(e.cert);
    if (iap !== undefined) this.inhibitAnyPolicy = Math.min(this.inhibitAnyPolicy, iap);
  }

  private applyMappings(mappings: ReadonlyArray<[string, string]>, i: number): void {
    const level = this.levels![i]!;
    const issuerPolicies = [...new Set(mappings.map(([a]) => a))];
    for (const idp of issuerPolicies) {
      const mapped = mappings.filter(([a]) => a === idp).map(([, b]) => b);
      const nodes = level.filter((x) => x.policy === idp);
      if (this.policyMapping > 0) {
        for (const x of nodes) x.expected = new Set(mapped);
        const any = level.find((x) => x.policy === ANY_POLICY);
        if (!nodes.length && any) level.push(node(idp, mapped, any.parent));
      } else {
        for (const x of nodes) this.remove(x);
        this.prune(i);
      }
    }
  }

  private remove(x: PolicyNode): void {
    const lvl = this.levels?.[x.depth];
    if (!lvl) return;
    lvl.splice(lvl.indexOf(x), 1);
    if (x.parent) x.parent.children.splice(x.parent.children.indexOf(x), 1);
  }

  /** Deletes childless nodes above `depth`; the tree becomes NULL when the root goes. */
  private prune(depth: number): void {
    if (!this.levels) return;
    for (let d = depth - 1; d >= 0; d--) {
      for (const x of [...this.levels[d]!]) if (x.children.length === 0) this.remove(x);
    }
    if (this.levels[0]!.length === 0) this.levels = undefined;
  }

  /** §6.1.5 (a)(b)(g) and the final test: throws when no policy is acceptable. */
  wrapUp(target: CertEntry, n: number): void {
    if (this.explicitPolicy > 0) this.explicitPolicy--;
    if (getPolicyConstraints(target.cert)?.requireExplicitPolicy === 0) this.explicitPolicy = 0;
    const initial = this.opts.initialPolicySet ?? [ANY_POLICY];
    if (this.levels && !initial.includes(ANY_POLICY)) this.intersect(new Set(initial), n);
    if (this.explicitPolicy <= 0 && !this.levels) {
      throw new PathValidationError(
        "policy",
        `certificate "${subjectOf(target)}": the path has no policy acceptable to the relying party (RFC 5280 §6.1.5 (g))`,
      );
    }
  }

  /** §6.1.5 (g)(iii): intersection of the valid_policy_tree with user-initial-policy-set. */
  private intersect(initial: Set<string>, n: number): void {
    const levels = this.levels!;
    // valid_policy_node_set: nodes whose parent is anyPolicy (anyPolicy nodes only descend from anyPolicy)
    const nodeSet = levels.flat().filter((x) => x.parent?.policy === ANY_POLICY);
    for (const x of nodeSet) {
      if (x.policy !== ANY_POLICY && !initial.has(x.policy)) this.removeSubtree(x);
    }
    const leafAny = levels[n]?.find((x) => x.policy === ANY_POLICY);
    if (leafAny) {
      for (const p of initial) {
        if (!nodeSet.some((x) => x.policy === p)) levels[n]!.push(node(p, [p], leafAny.parent));
      }
      this.remove(leafAny);
    }
    this.prune(n);
  }

  private removeSubtree(x: PolicyNode): void {
    for (const c of [...x.children]) this.removeSubtree(c);
    this.remove(x);
  }
}
