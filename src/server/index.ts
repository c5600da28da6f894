export { RemoteConnection, RemoteEnv, RemoteError, RemoteVectorEnv, type RemoteConnectionOptions, type RemoteMakeOptions } from './client.js';
export { startServer, SERVER_DEFAULTS, type RecGymServer, type ServerOptions } from './server.js';
export {
  BINARY_BATCHES,
  BINARY_REQUESTS,
  ClientMessageSchema,
  PROTOCOL_ERRORS,
  PROTOCOL_VERSION,
  ServerMessageSchema,
  compareProtocol,
  type ClientMessage,
  type ServerMessage,
} from './protocol.js';
export { decodeBinaryFrame, encodeBinaryFrame, type DecodedFrame } from './binary-frame.js';
export { decodeBinaryRequest, encodeBinaryRequest, type BinaryRequest, type DecodedRequest } from './binary-request.js';
