import type { Logger } from '../../log/logger.ts';
import type { ConnectionEvents } from './connection.ts';
import type { ConnectionTable } from './connection-table.ts';
import type { TransportOptions } from './transport-options.ts';

/** What the listeners of one transport layer share. */
export interface TransportContext {
  readonly options: TransportOptions;
  readonly table: ConnectionTable;
  readonly events: ConnectionEvents;
  readonly logger: Logger;
  /** False once the layer is closing: connections accepted or completed then are dropped. */
  accepting(): boolean;
}
