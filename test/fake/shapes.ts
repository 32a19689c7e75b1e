/** Responses streams in shapes found in the wild, written for tests (see test/unit/responsesShapes.test.ts). */

type Wire = Record<string, unknown>;

export const answer = 'A closure is a function that remembers the variables of the scope it was made in, even after that scope ended.';
export const tokens = answer.match(/\S+\s*/g) ?? [];

/**
 * The shape of the GitHub Copilot capture: every event of the one message carries a new `item_id` at the same
 * `output_index`, and the final events (done, part done, item done, completed) repeat the whole answer under yet
 * other ids.
 */
export function rotatingIdStream(): Wire[] {
  let n = 0;
  const id = () => `msg_${(++n).toString(36)}${'x'.repeat(20)}`;
  let seq = 0;
  const ev = (e: Wire): Wire => ({ ...e, sequence_number: seq++ });
  const message = (text: string) => ({ type: 'message', id: id(), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] });
  return [
    ev({ type: 'response.created', response: { id: 'resp_copilot', status: 'in_progress', output: [] } }),
    ev({ type: 'response.in_progress', response: { id: 'resp_copilot', status: 'in_progress', output: [] } }),
    ev({ type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: id(), status: 'in_progress', role: 'assistant', content: [] } }),
    ev({ type: 'response.content_part.added', item_id: id(), output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }),
    ...tokens.map((delta) => ev({ type: 'response.output_text.delta', item_id: id(), output_index: 0, content_index: 0, delta })),
    ev({ type: 'response.output_text.done', item_id: id(), output_index: 0, content_index: 0, text: answer }),
    ev({ type: 'response.content_part.done', item_id: id(), output_index: 0, content_index: 0, part: { type: 'output_text', text: answer, annotations: [] } }),
    ev({ type: 'response.output_item.done', output_index: 0, item: message(answer) }),
    ev({ type: 'response.completed', response: { id: 'resp_copilot', status: 'completed', output: [message(answer)] } }),
  ];
}

