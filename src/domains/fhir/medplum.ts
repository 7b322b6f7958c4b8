/**
 * The one place that loads @medplum/core at runtime. Its ESM bundle reads `WebSocket.CLOSING` at module
 * load (subscriptions), and Node 20 has no global WebSocket (Node 22 does), so importing it directly
 * throws "WebSocket is not defined". The shim module is evaluated first (ESM evaluates imports in
 * order); only the two constants are ever read at load time. Import @medplum/core values from here.
 */
import './websocketShim.ts';

export { indexStructureDefinitionBundle, isResourceType, validateResource } from '@medplum/core';
