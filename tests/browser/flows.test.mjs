// The page's flows in Debian's headless Chromium, against the real server run.sh started on
// the demo data: a coach, a job matcher and an employer, each signed in with their demo
// token, plus keyboard use, phone width and an axe-core check (WCAG 2 A and AA) of every
// page visited. Screenshots are kept in ARTIFACTS.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const BASE = process.env.JOBMATCH_URL;
const ARTIFACTS = process.env.ARTIFACTS ?? "artifacts";
mkdirSync(ARTIFACTS, { recursive: true });
const TOKENS = Object.fromEntries(
  readFileSync(process.env.JOBMATCH_TOKENS, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line))
    .map((t) => [t.role, t.token]),
);

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
after(async () => {
  await browser?.close();
});

/** The API as a role, for setting up and checking what the page did. */
async function api(role, method, path, body) {
  const r = await fetch(BASE + path, {
    method,
    headers: { authorization: `Bearer ${TOKENS[role]}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  assert.ok(r.ok, `${method} ${path} as ${role}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A fresh browser context signed in through the sign-in form. */
async function signIn(role, viewport = { width: 1280, height: 900 }) {
  // bypassCSP lets the test inject axe-core; the page itself runs under its own CSP.
  const context = await browser.newContext({ viewport, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(BASE + "/");
  await page.getByLabel("Nyckel").fill(TOKENS[role]);
  await page.getByRole("button", { name: "Logga in" }).click();
  await page.waitForLoadState("load");
  return { context, page };
}

const audited = [];
/** axe-core's WCAG 2 A and AA rules on the page as it is; any violation fails the test. */
async function checkAccessibility(page, name) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  const found = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`,
  );
  audited.push(name);
  assert.deepEqual(found, [], `axe-core on ${name}`);
}

async function shot(page, name) {
  await page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
}

test("the sign-in keeps the token in a Secure, HttpOnly, SameSite=Strict cookie and refuses a wrong one", async () => {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(BASE + "/");
  assert.equal(await page.getAttribute("html", "lang"), "sv");
  await checkAccessibility(page, "sign-in");
  await page.getByLabel("Nyckel").fill("jm_not_a_token");
  await page.getByRole("button", { name: "Logga in" }).click();
  await page.getByRole("alert").waitFor();
  assert.match(await page.getByRole("alert").innerText(), /gäller inte/);

  // Keyboard only: from the top of the page, Tab to the field, type, Enter.
  await page.goto(BASE + "/");
  await page.keyboard.press("Tab"); // the skip link
  assert.equal(await page.evaluate(() => document.activeElement.className), "skip");
  let reached = false;
  for (let i = 0; i < 6 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement.id === "token");
  }
  assert.ok(reached, "the token field is reachable with Tab");
  await page.keyboard.type(TOKENS.coach);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/caseload$/);
  const [cookie] = (await context.cookies()).filter((c) => c.name === "__Host-jobmatch_session");
  assert.ok(cookie, "a session cookie is set");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.secure, true);
  assert.equal(cookie.sameSite, "Strict");
  assert.equal(await page.evaluate(() => document.cookie.includes("jobmatch_session")), false);

  // A form posted without the page's CSRF token is refused, and signs nobody out.
  const refused = await page.evaluate(async () => {
    const r = await fetch("/sign-out", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "csrf=forged",
    });
    return r.status;
  });
  assert.equal(refused, 403);
  await page.goto(BASE + "/caseload");
  assert.match(page.url(), /\/caseload$/);

  await page.getByRole("button", { name: "Logga ut" }).click();
  await page.waitForURL(BASE + "/");
  await page.goto(BASE + "/caseload");
  assert.equal(page.url(), BASE + "/", "signed out, a page leads back to the sign-in");
  await context.close();
});

test("coach: caseload with clocks, a participant's suggestions and gap, a proposal, a profile edit", async () => {
  const { context, page } = await signIn("coach");
  assert.match(page.url(), /\/caseload$/);
  await page.getByRole("heading", { level: 1, name: "Mina deltagare" }).waitFor();
  const rows = page.locator("table.caseload tbody tr");
  assert.ok((await rows.count()) >= 100, "the demo caseload is listed");
  await checkAccessibility(page, "caseload");
  await shot(page, "coach-caseload");

  // The participant the API ranks most openings for, so there is something to propose.
  const people = await api("coach", "GET", "/v1/participants");
  let chosen = null;
  for (const p of people.slice(0, 40)) {
    const s = await api("coach", "GET", `/v1/participants/${p.participant_id}/suggestions?limit=3`);
    if (s.suggestions.length >= 3) {
      chosen = { ...p, first: s.suggestions[0] };
      break;
    }
  }
  assert.ok(chosen, "a demo participant has suggestions");
  await page.locator(`a[href="/participants/${chosen.participant_id}"]`).click();
  await page.getByRole("heading", { level: 1 }).filter({ hasText: chosen.name }).waitFor();

  const cards = page.locator("ol.ranked > li");
  assert.ok((await cards.count()) >= 3);
  const first = cards.first();
  assert.equal(await first.locator("h3").innerText(), chosen.first.title, "the page ranks as the API does");
  assert.ok((await first.locator("meter").count()) >= 5, "a bar per category");
  const evidence = await first.locator("ul.evidence li").allInnerTexts();
  assert.ok(evidence.length >= 2, "the evidence in words");
  assert.ok(evidence.some((e) => /km$|krav|svenska/.test(e)), `evidence reads as words: ${evidence}`);
  const gap = page.locator("section[aria-labelledby=gaps-heading]");
  assert.match(await gap.locator("h2").innerText(), /öppnar flest dörrar/);
  const gaps = await api("coach", "GET", `/v1/participants/${chosen.participant_id}/gaps`);
  if (gaps.plan) {
    assert.equal(await gap.locator(".plan").innerText(), gaps.plan.sentence.sv);
  }
  await checkAccessibility(page, "participant");
  await shot(page, "coach-participant");
  await page.screenshot({ path: `${ARTIFACTS}/coach-participant-top.png` });

  // Propose the first opening; the API then holds the placement.
  await first.getByRole("button", { name: "Föreslå för arbetsgivaren" }).click();
  await page.getByRole("status").filter({ hasText: /Förslaget/ }).waitFor();
  const { placements } = await api("coach", "GET", `/v1/placements?participant_id=${chosen.participant_id}`);
  assert.ok(
    placements.some((p) => p.opening_id === chosen.first.opening_id && ["proposed", "waiting"].includes(p.status)),
    "the proposal reached the API",
  );

  const mine = page.locator("section[aria-labelledby=placements-heading] li");
  assert.match(await mine.first().innerText(), /Föreslagen|Väntar/);

  // The plan is made today: the programme records it, and the plan clock stops.
  const today = new Date().toISOString().slice(0, 10);
  const facts = (await api("coach", "GET", `/v1/participants/${chosen.participant_id}/programme`)).facts;
  if (!facts?.referred_at) await page.getByLabel("Ansökan om stöd").fill(today);
  if (!facts?.enrolled_at) await page.getByLabel("Första besöket").fill(today);
  await page.getByLabel("Status").selectOption("active");
  await page.getByLabel("Planering klar").fill(today);
  await page.getByRole("button", { name: "Spara i programmet" }).click();
  await page.getByRole("status").filter({ hasText: "Ändringarna är sparade." }).waitFor();
  const recorded = (await api("coach", "GET", `/v1/participants/${chosen.participant_id}/programme`)).facts;
  assert.equal(recorded.status, "active");
  assert.equal(recorded.plan_at.slice(0, 10), today);

  // Suggestions from the taxonomy as a skill is typed.
  const skills = page.getByLabel("Kompetenser (skilj med semikolon)");
  const before = await skills.inputValue();
  await skills.fill(before ? `${before}; truck` : "truck");
  await page.waitForFunction(() => document.querySelectorAll("#" + document.getElementById("skills").getAttribute("list") + " option").length > 0);
  const offered = await page.evaluate(() =>
    [...document.querySelectorAll("#" + document.getElementById("skills").getAttribute("list") + " option")].map((o) => o.value),
  );
  assert.ok(offered.every((v) => v.toLowerCase().includes("truck")), `suggestions: ${offered}`);
  await skills.fill(offered[0]);
  await page.getByLabel("Längsta resväg (km)").fill("45");
  await page.getByRole("button", { name: "Spara profilen" }).click();
  await page.getByRole("status").filter({ hasText: "Ändringarna är sparade." }).waitFor();
  const saved = await api("coach", "GET", `/v1/participants/${chosen.participant_id}`);
  assert.equal(saved.max_travel_km, 45);
  assert.ok(saved.skills.length >= 1);

  // A new participant, registered on the page, lands on the caseload with suggestions.
  await page.goto(BASE + "/caseload");
  await page.getByRole("link", { name: "Registrera en deltagare" }).click();
  await page.getByLabel("Namn").fill("Testa Registrerad");
  await page.getByLabel("Kompetenser (skilj med semikolon)").fill("lagerarbete; truckkort");
  await page.getByLabel("Yrke (SSYK)").fill("4321");
  await page.getByLabel("År i yrket").fill("2");
  await page.getByLabel("Svenska (CEFR)").selectOption("B1");
  await page.getByLabel("Kommun").fill("0180");
  await page.getByLabel("Längsta resväg (km)").fill("30");
  await checkAccessibility(page, "register-participant");
  await page.getByRole("button", { name: "Registrera" }).click();
  await page.getByRole("status").filter({ hasText: "Deltagaren är registrerad." }).waitFor();
  const newId = Number(new URL(page.url()).pathname.split("/").pop());
  const registered = await api("coach", "GET", `/v1/participants/${newId}`);
  assert.equal(registered.name, "Testa Registrerad");
  assert.equal(registered.swedish_level, "B1");
  assert.equal(registered.skills.length, 2);
  assert.ok((await page.locator("ol.ranked > li").count()) > 0, "suggestions for the new participant");

  // English as a choice, kept across pages.
  await page.getByRole("link", { name: "English" }).click();
  await page.getByRole("heading", { level: 2, name: "Openings that fit" }).waitFor();
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await page.getByRole("link", { name: "My caseload" }).click();
  await page.getByRole("heading", { level: 1, name: "My caseload" }).waitFor();
  await context.close();
});

test("coach: keyboard only, from the caseload to a proposal", async () => {
  const { context, page } = await signIn("coach");
  const tabTo = async (matches, most = 60) => {
    for (let i = 0; i < most; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate(matches)) return;
    }
    assert.fail(`not reached with Tab: ${matches}`);
  };
  await tabTo(() => /^\/participants\/\d+$/.test(document.activeElement.getAttribute("href") ?? ""));
  const href = await page.evaluate(() => document.activeElement.getAttribute("href"));
  await page.keyboard.press("Enter");
  await page.waitForURL(BASE + href);
  const focused = await page.evaluate(() => document.activeElement.tagName);
  assert.equal(focused, "BODY", "a new page starts from the top");
  // The second opening: the coach's flow above has proposed the first.
  await tabTo(() => document.activeElement.textContent === "Föreslå för arbetsgivaren");
  await tabTo(() => document.activeElement.textContent === "Föreslå för arbetsgivaren");
  await page.keyboard.press("Enter");
  await page.getByRole("status").filter({ hasText: /Förslaget/ }).waitFor();
  await context.close();
});

test("coach: the pages read at a phone's width, without sideways scrolling", async () => {
  const { context, page } = await signIn("coach", { width: 390, height: 844 });
  const people = await api("coach", "GET", "/v1/participants");
  for (const path of ["/caseload", `/participants/${people[0].participant_id}`, "/search?kind=internship", "/allocate", "/stats"]) {
    await page.goto(BASE + path);
    await page.locator("h1").waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (path.startsWith("/participants/")) await shot(page, "coach-participant-phone");
    assert.ok(overflow <= 1, `${path}: no sideways scrolling at 390 px (overflow ${overflow} px)`);
  }
  await context.close();
});

test("job matcher: search with filters, an opening's candidates, an allocation with its fairness chart, statistics", async () => {
  const { context, page } = await signIn("matcher");
  assert.match(page.url(), /\/search$/);
  await page.getByLabel("Typ").selectOption("internship");
  await page.getByLabel("Kommun").fill("Stockholm");
  await page.getByRole("button", { name: "Sök", exact: true }).click();
  await page.waitForURL(/kind=internship/);
  const expected = await api("matcher", "GET", "/v1/openings?kind=internship&municipality=Stockholm&per_page=20");
  const hits = page.locator("ul.results > li");
  assert.equal(await hits.count(), expected.openings.length);
  assert.ok(expected.total > 0, "the demo has internships in Stockholm");
  for (const kind of await hits.locator("p.muted").allInnerTexts()) {
    assert.match(kind, /^Praktikplats · Stockholm/);
  }
  await checkAccessibility(page, "search");
  await shot(page, "matcher-search");

  // By occupation: a major group's code finds its unit groups.
  const occupation = expected.openings[0];
  const full = await api("matcher", "GET", `/v1/openings/${occupation.opening_id}`);
  if (full.occupation) {
    await page.goto(`${BASE}/search?occupation=${full.occupation.code.slice(0, 2)}`);
    const byGroup = await api("matcher", "GET", `/v1/openings?occupation=${full.occupation.code.slice(0, 2)}&per_page=20`);
    assert.ok(byGroup.total > 0);
    assert.equal(await page.locator("ul.results > li").count(), byGroup.openings.length);
  }

  // An opening's ranked candidates, under pseudonyms.
  await page.goto(`${BASE}/openings/${occupation.opening_id}`);
  await page.getByRole("heading", { level: 2, name: "Kandidater" }).waitFor();
  const ranked = await api("matcher", "GET", `/v1/openings/${occupation.opening_id}/candidates?limit=20`);
  const codes = await page.locator("ol.ranked h3 code").allInnerTexts();
  assert.deepEqual(codes, ranked.candidates.map((c) => c.pseudonym));
  await checkAccessibility(page, "opening-candidates");
  await shot(page, "matcher-opening");

  // Allocation of everyone on the scarce places, with the fairness chart.
  await page.getByRole("link", { name: "Fördela platser" }).click();
  await page.getByRole("button", { name: "Fördela" }).click();
  await page.waitForURL(/\/allocations\/\d+$/);
  const id = page.url().split("/").pop();
  const allocation = await api("matcher", "GET", `/v1/allocations/${id}`);
  assert.ok(allocation.assignments.length > 0);
  assert.equal(await page.locator("section[aria-labelledby=assignments-heading] tbody tr").count(), allocation.assignments.length);
  const bars = page.locator("figure.chart svg rect");
  assert.ok((await bars.count()) >= 2, "the fairness chart has bars");
  await checkAccessibility(page, "allocation");
  await shot(page, "matcher-allocation");

  // Statistics per month, and the same as CSV.
  await page.getByRole("link", { name: "Statistik" }).click();
  await page.getByRole("heading", { level: 1, name: "Statistik" }).waitFor();
  assert.equal(await page.locator("figure.chart svg").count(), 2, "share moved on and clocks, and outcomes");
  await checkAccessibility(page, "statistics");
  await shot(page, "statistics");
  const href = await page.getByRole("link", { name: "Ladda ner som CSV" }).getAttribute("href");
  const csv = await context.request.get(BASE + href);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()["content-disposition"], /attachment/);
  assert.match((await csv.text()).split("\n")[0], /group.*enrolled.*moved_on/);
  await context.close();
});

test("employer: posts an internship, sees how many fit under codes only, answers a proposal, never a name", async () => {
  const names = (await api("coach", "GET", "/v1/participants")).map((p) => p.name);
  assert.ok(names.length >= 100);
  const { context, page } = await signIn("employer");
  assert.match(page.url(), /\/employer$/);
  const pages = [];
  const noNames = async (where) => {
    const html = await page.content();
    const shown = names.filter((n) => html.includes(n));
    assert.deepEqual(shown, [], `participant names on the employer's ${where}`);
    pages.push(where);
  };
  await noNames("home");
  await checkAccessibility(page, "employer-home");

  await page.getByRole("link", { name: "Lägg upp en plats" }).click();
  await page.getByLabel("Praktikplats").check();
  await page.getByLabel("Rubrik").fill("Praktik i lager och logistik");
  await page.getByLabel("Beskrivning").fill("Plock, pack och inleverans. Handledare på plats.");
  await page.getByLabel("Yrke (SSYK eller namn)").fill("4321");
  await page.getByLabel("Krav (skilj med semikolon)").fill("lagerarbete");
  await page.getByLabel("Kommun").fill("0180");
  await page.getByLabel("Antal platser").fill("2");
  await page.getByLabel("Handledare finns (praktik)").check();
  await checkAccessibility(page, "employer-new-opening");
  await page.getByRole("button", { name: "Publicera" }).click();
  await page.waitForURL(/\/openings\/\d+\?done=created$/);
  const openingId = Number(new URL(page.url()).pathname.split("/").pop());
  await page.getByRole("status").filter({ hasText: "Platsen är publicerad." }).waitFor();
  const count = Number(await page.locator("p.count strong").innerText());
  const ranked = await api("employer", "GET", `/v1/openings/${openingId}/candidates?limit=20`);
  assert.equal(count, ranked.considered - ranked.excluded_count);
  assert.ok(count > 0, "the demo has participants who fit a warehouse internship in Stockholm");
  const codes = await page.locator("ol.ranked h3 code").allInnerTexts();
  assert.deepEqual(codes, ranked.candidates.map((c) => c.candidate));
  await noNames("opening page");
  await checkAccessibility(page, "employer-opening");
  await shot(page, "employer-opening");

  // Edit it: one more place.
  await page.getByRole("link", { name: "Ändra platsen" }).click();
  await page.getByLabel("Antal platser").fill("3");
  await page.getByRole("button", { name: "Spara" }).click();
  await page.getByRole("status").filter({ hasText: "Ändringarna är sparade." }).waitFor();
  assert.equal((await api("employer", "GET", `/v1/openings/${openingId}`)).places, 3);

  // A job matcher proposes the best candidate; the employer answers on the page.
  const best = (await api("matcher", "GET", `/v1/openings/${openingId}/candidates?limit=1`)).candidates[0];
  await api("matcher", "POST", "/v1/placements?wait=indexed", { participant_id: best.participant_id, opening_id: openingId });
  await page.goto(BASE + "/employer");
  const card = page.locator("ul.results > li").filter({ hasText: "Praktik i lager och logistik" });
  await card.getByRole("button", { name: "Kalla till intervju" }).click();
  await page.getByRole("status").filter({ hasText: "Svaret är sparat." }).waitFor();
  await noNames("home after answering");
  const { placements } = await api("employer", "GET", `/v1/placements?opening_id=${openingId}`);
  assert.equal(placements[0].status, "interview");
  await shot(page, "employer-home");

  // Filled: the employer closes it, and it leaves matching.
  await page.goto(`${BASE}/openings/${openingId}`);
  await page.getByRole("button", { name: "Stäng platsen" }).click();
  await page.getByRole("status").filter({ hasText: "Platsen är stängd." }).waitFor();
  assert.equal((await api("employer", "GET", `/v1/openings/${openingId}`)).status, "closed");

  // A page for staff only answers the employer with a refusal, not data.
  const caseload = await page.goto(BASE + "/caseload");
  assert.equal(caseload.status(), 403);
  await noNames("caseload refusal");
  await context.close();
});

test("every page visited passed axe-core", () => {
  for (const name of ["sign-in", "caseload", "participant", "register-participant", "search", "opening-candidates", "allocation", "statistics", "employer-home", "employer-new-opening", "employer-opening"]) {
    assert.ok(audited.includes(name), `${name} was checked`);
  }
});
