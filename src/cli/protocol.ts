import { protocolJsonSchema, renderProtocolDoc } from '../server/protocol-doc.js';
import { parseFlags, type Command } from './command.js';

const USAGE = `usage: recgym protocol [--json-schema]

Prints the server protocol's reference (the Markdown of docs/protocol.md), or with --json-schema
the JSON Schema of every client and server message. Both come from the zod schemas the server uses.

  --json-schema   print the JSON Schema instead`;

/** `recgym protocol`: the protocol's reference or its JSON Schema. */
export const command: Command = {
  path: ['protocol'],
  summary: "print the server protocol's reference (docs/protocol.md) or its JSON Schema",
  usage: USAGE,
  async run(args, io) {
    const { values } = parseFlags(args, { 'json-schema': { type: 'boolean' } }, false);
    io.stdout(values['json-schema'] ? `${JSON.stringify(protocolJsonSchema(), null, 2)}\n` : renderProtocolDoc());
    return 0;
  },
};
