/** Types of broker.js (CommonJS), for TypeScript tests that start or restart a broker. */
export interface BrokerHandle {
  brokers: string;
  reused: boolean;
  pid?: number;
}
export function ensureBroker(options?: {
  port?: number;
  controllerPort?: number;
  dataDir?: string;
  log?: (line: string) => void;
  /**
   * Extra server.properties for a broker this call starts (they override the defaults), e.g.
   * `{ 'message.max.bytes': '200000' }`. A broker already answering on the port is reused as is.
   */
  serverProperties?: Record<string, string | number>;
}): Promise<BrokerHandle>;
export function stopBroker(options?: {
  port?: number;
  dataDir?: string;
  log?: (line: string) => void;
}): Promise<void>;
export function isBrokerUp(port?: number): Promise<boolean>;
export const REPO_ROOT: string;
