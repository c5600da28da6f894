export { RemoteConnection, RemoteEnv, RemoteError, RemoteVectorEnv, type RemoteConnectionOptions, type RemoteMakeOptions } from './client.js';
export { startServer, SERVER_DEFAULTS, type RecGymServer, type ServerOptions } from './server.js';
export {
  BINARY_BATCHES,
  ClientMessageSchema,
  PROTOCOL_ERRORS,
  PROTOCOL_VERSION,
  ServerMessageSchema,
  compareProtocol,
  type ClientMessage,
  type ServerMessage,
} from './protocol.js';
export { decodeBinaryFrame, encodeBinaryFrame, type DecodedFrame } from './binary-frame.js';
