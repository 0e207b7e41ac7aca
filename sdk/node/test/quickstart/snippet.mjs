// The quickstart's two Node SDK snippets, verbatim (docs: Quickstart, steps 2 and 3), run in one
// script as a user would. The base URL, key and account come from KEITO_API_URL, KEITO_API_KEY
// and KEITO_ACCOUNT_ID. test/quickstart.test.mjs runs it against a live server.
import { Keito } from '@keito/sdk';
const keito = new Keito({
apiKey: process.env.KEITO_API_KEY,
accountId: process.env.KEITO_ACCOUNT_ID,
});
const entry = await keito.timeEntries.create({
project_id: 'prj_abc',
task_id: 'tsk_001',
spent_date: '2026-03-06',
hours: 1.5,
notes: 'Implemented OAuth flow',
source: 'agent',
metadata: {
agent_id: 'my-bot-01',
agent_type: 'claude-code',
session_id: crypto.randomUUID(),
model: 'claude-opus-4-6',
},
});
console.log(`Created entry: ${entry.id}`);
await keito.expenses.create({
project_id: 'prj_abc',
expense_category_id: 'cat_llm_usage',
spent_date: '2026-03-06',
units: 45,
notes: 'claude-opus-4-6: 30k input + 15k output tokens',
source: 'agent',
metadata: {
agent_id: 'my-bot-01',
session_id: entry.metadata.session_id,
model: 'claude-opus-4-6',
input_tokens: 30000,
output_tokens: 15000,
},
});
