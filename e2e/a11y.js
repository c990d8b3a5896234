// The accessibility audit: axe-core (pinned in package.json) run inside the page against
// the WCAG 2.0, 2.1 and 2.2 level A and AA rules. Every violation fails the audit with its
// rule, impact, element and axe's summary of what to fix.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/**
 * Loads axe into the page. `page.addScriptTag({content})` would be an inline script, which
 * the site's `script-src 'self'` blocks (and the local sign-in page allows no script at
 * all). Playwright's `evaluate` runs through the DevTools protocol, outside the page's
 * Content-Security-Policy, so axe goes in without loosening the policy the page is
 * audited under.
 */
async function injectAxe(page) {
  const present = await page.evaluate(() => typeof window.axe === "object");
  if (!present) await page.evaluate(AXE_SOURCE);
}

/** The violations axe finds on the page as it is now, for the WCAG A and AA rules. */
export async function axeViolations(page) {
  await injectAxe(page);
  return page.evaluate(async (tags) => {
    const results = await window.axe.run(document, {
      runOnly: { type: "tag", values: tags },
      resultTypes: ["violations"],
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
    }));
  }, WCAG_TAGS);
}

/** One line per element at fault: rule id, impact, selector, what axe says to fix. */
export function describeViolations(violations) {
  return violations
    .flatMap((v) =>
      v.nodes.map(
        (n) => `${v.id} (${v.impact}) at ${n.target}: ${v.help}\n    ${n.summary.replaceAll("\n", "\n    ")}\n    ${v.helpUrl}`,
      ),
    )
    .join("\n");
}

/** Fails, naming every violation, unless axe finds none. `label` names the page state. */
export async function assertAccessible(page, label) {
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, `${label}: ${violations.length} accessibility rule(s) failed\n${describeViolations(violations)}`);
}
