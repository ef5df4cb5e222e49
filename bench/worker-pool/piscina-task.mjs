// piscina's worker file: plain JS (piscina imports it in its own worker entry), so it registers tsx, then
// runs the shared task and moves the answer's buffer back.
import { register } from 'tsx/esm/api';
import { move } from 'piscina';

register();
const { runBenchTask } = await import('./task.ts');

export default async function (req) {
  return move(await runBenchTask(req));
}
