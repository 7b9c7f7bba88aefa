/**
 * Writes the demo's dataset: examples/data/support-tickets.jsonl (300 tickets) and examples/data/customers.json (the
 * "CRM" the triage agent's tool reads). Deterministic: a seeded generator, so running it again changes nothing.
 *
 *   npx tsx scripts/demo/generate-tickets.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRandom } from '../../src/testing/random.js';

const dataFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/data');
const ticketCount = 300;
const customerCount = 60;

// Seeded: Math.random would make every run's dataset different.
const random = createRandom(20261125);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));

const firstNames = [
  'Ana',
  'Ben',
  'Chloe',
  'Dmitri',
  'Esra',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemi',
  'Lena',
  'Mateo',
  'Nora',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tariq',
  'Uma',
  'Victor',
  'Wen',
  'Yara',
  'Zoe',
];
const lastNames = [
  'Adler',
  'Brandt',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lopez',
  'Meyer',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Rossi',
  'Silva',
  'Tanaka',
  'Weber',
];
const companies = [
  'Acme Foods',
  'Brightline Legal',
  'Cobalt Robotics',
  'Delta Dental Group',
  'Evergreen Schools',
  'Fjord Logistics',
  'Granite Bank',
  'Harbor Clinics',
  'Iris Media',
  'Juniper Retail',
  'Kite Travel',
  'Lumen Energy',
  'Maple Insurance',
  'Nimbus Games',
  'Orbit Telecom',
];
const plans = ['free', 'pro', 'business', 'enterprise'] as const;
const products = [
  'the mobile app',
  'the web dashboard',
  'the API',
  'the CSV export',
  'the Slack integration',
  'single sign-on',
  'the invoice PDF',
  'the search page',
];
const channels = ['email', 'chat', 'web form'] as const;

const customers = Array.from({ length: customerCount }, (_, index) => {
  const plan = plans[Math.min(3, Math.floor(random() * 4.4))];
  const spend = { free: 0, pro: between(20, 90), business: between(300, 1500), enterprise: between(4000, 25000) }[plan];
  return {
    id: `C-${String(index + 1).padStart(4, '0')}`,
    name: `${pick(firstNames)} ${pick(lastNames)}`,
    company: pick(companies),
    plan,
    monthlySpendUsd: spend,
    customerSince: `${between(2017, 2026)}-${String(between(1, 12)).padStart(2, '0')}`,
    openIncidents: plan === 'free' ? 0 : between(0, 3),
  };
});

/** One template per line of work a support desk sees; the agent has to tell them apart from the text alone. */
const templates: Array<() => { subject: string; body: string }> = [
  () => ({
    subject: 'Charged twice this month',
    body: `Hi, I was billed twice for ${pick(['March', 'April', 'May', 'June'])} ($${between(20, 900)} each). Please refund the duplicate charge.`,
  }),
  () => ({
    subject: 'Invoice shows the wrong VAT number',
    body: `Our invoice ${between(10000, 99999)} has an old VAT number. Finance cannot book it until it is corrected.`,
  }),
  () => ({
    subject: 'Cancel my subscription',
    body: `Please cancel our plan at the end of this billing period. We are moving to another tool. ${pick(['Thanks.', 'This is very frustrating.', 'No hard feelings.'])}`,
  }),
  () => ({
    subject: `${capitalize(pick(products))} crashes`,
    body: `Since this morning ${pick(products)} crashes whenever I open a report. Error code E${between(100, 999)}. ${pick(['Urgent: our team cannot work.', 'Not urgent, just letting you know.', 'It worked yesterday.'])}`,
  }),
  () => ({
    subject: 'Production is down',
    body: `URGENT: every call to ${pick(products)} returns 500 since ${between(1, 12)}:${between(10, 59)}. Our customers are affected right now.`,
  }),
  () => ({
    subject: 'Data looks wrong after the update',
    body: `After the latest update ${pick(products)} shows totals that are off by ${between(2, 40)}%. Is this a known bug?`,
  }),
  () => ({
    subject: 'Cannot log in',
    body: `I reset my password ${between(2, 5)} times and still cannot log in. ${pick(['The reset e-mail never arrives.', 'It says my account is locked.', 'Two-factor codes are rejected.'])}`,
  }),
  () => ({
    subject: 'Add a colleague to our account',
    body: `How do I invite ${pick(firstNames)} from finance as an admin? The invite button is greyed out.`,
  }),
  () => ({
    subject: 'Delete my account and data',
    body: `Under GDPR I ask you to delete my account and all personal data you hold about me. Please confirm in writing.`,
  }),
  () => ({
    subject: 'Where is my order?',
    body: `Order #${between(100000, 999999)} was due ${pick(['yesterday', 'last week', 'on Monday'])} and tracking has not moved for ${between(3, 9)} days.`,
  }),
  () => ({
    subject: 'Hardware token arrived damaged',
    body: `The security keys we ordered arrived with a cracked case (${between(2, 20)} of them). Can you send replacements?`,
  }),
  () => ({
    subject: 'Feature request: dark mode',
    body: `Love the product! Any plans for a dark mode in ${pick(products)}? Half my team works late.`,
  }),
  () => ({
    subject: 'Feature request: export to Parquet',
    body: `We would pay more for a Parquet export next to CSV. Our data team loads ${between(2, 90)} GB a week.`,
  }),
  () => ({
    subject: 'Thank you!',
    body: `Just wanted to say ${pick(firstNames)} from your support team solved our issue in minutes. Great service.`,
  }),
  () => ({
    subject: 'Question about your security policy',
    body: `Our auditor asks whether you hold SOC 2 Type II and where our data is stored. Can you send the report?`,
  }),
];

function capitalize(text: string) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

let arrivedAt = Date.UTC(2026, 10, 2, 7, 0, 0);
const tickets = Array.from({ length: ticketCount }, (_, index) => {
  const { subject, body } = pick(templates)();
  arrivedAt += between(1, 10) * 60_000;
  return {
    id: `T-${String(10001 + index)}`,
    customerId: pick(customers).id,
    channel: pick(channels),
    createdAt: new Date(arrivedAt).toISOString(),
    subject,
    body,
  };
});

await mkdir(dataFolder, { recursive: true });
await writeFile(path.join(dataFolder, 'customers.json'), `${JSON.stringify(customers, null, 2)}\n`);
await writeFile(
  path.join(dataFolder, 'support-tickets.jsonl'),
  tickets.map((ticket) => JSON.stringify(ticket)).join('\n') + '\n',
);
console.log(
  `Wrote ${tickets.length} tickets and ${customers.length} customers to ${path.relative(process.cwd(), dataFolder)}/`,
);
