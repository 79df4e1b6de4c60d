// robots.txt (RFC 9309), as much as a polite scraper needs: groups by user-agent, Allow/Disallow
// with `*` and `$`, the longest matching rule wins and Allow wins a tie.

export interface RobotsRule {
  allow: boolean;
  path: string;
}

interface Group {
  agents: string[];
  rules: RobotsRule[];
}

export interface Robots {
  groups: Group[];
}

export function parseRobots(text: string): Robots {
  const groups: Group[] = [];
  let current: Group | undefined;
  let lastWasAgent = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1].toLowerCase();
    const value = m[2].trim();
    if (key === 'user-agent') {
      if (!current || !lastWasAgent) {
        current = { agents: [], rules: [] };
        groups.push(current);
      }
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (!current) continue;
    if (key === 'allow' || key === 'disallow') {
      // An empty Disallow allows everything: it adds no rule.
      if (value !== '') current.rules.push({ allow: key === 'allow', path: value });
    }
  }
  return { groups };
}

/** Rules for our product token: the groups naming it, else the `*` groups. */
function rulesFor(robots: Robots, token: string): RobotsRule[] {
  const t = token.toLowerCase();
  const named = robots.groups.filter((g) => g.agents.some((a) => a === t));
  const chosen = named.length > 0 ? named : robots.groups.filter((g) => g.agents.includes('*'));
  return chosen.flatMap((g) => g.rules);
}

function matches(pattern: string, path: string): boolean {
  const anchored = pattern.endsWith('$');
  const body = anchored ? pattern.slice(0, -1) : pattern;
  const re = body
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}${anchored ? '$' : ''}`).test(path);
}

/** The rule deciding `path` (path + query), or undefined when no rule matches (allowed). */
export function decidingRule(robots: Robots, token: string, path: string): RobotsRule | undefined {
  let best: RobotsRule | undefined;
  for (const rule of rulesFor(robots, token)) {
    if (!matches(rule.path, path)) continue;
    if (!best || rule.path.length > best.path.length || (rule.path.length === best.path.length && rule.allow && !best.allow)) best = rule;
  }
  return best;
}

export function isAllowed(robots: Robots, token: string, path: string): boolean {
  return decidingRule(robots, token, path)?.allow ?? true;
}
