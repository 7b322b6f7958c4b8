/**
 * CDS Hooks 2.0 wire types (request, response, card, feedback, discovery) as this service produces and
 * consumes them. Runtime validation lives in schema.ts; these are the TypeScript shapes.
 */
import type { Bundle, Coding, Resource } from '@medplum/fhirtypes';

export type HookName = 'patient-view' | 'order-select' | 'order-sign' | 'appointment-book' | 'order-dispatch';

export interface CdsServiceDefinition {
  hook: HookName;
  id: string;
  title: string;
  description: string;
  prefetch?: Record<string, string>;
  usageRequirements?: string;
  extension?: Record<string, unknown>;
}

export interface FhirAuthorization {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  subject: string;
  patient?: string;
}

export interface HookRequest {
  hook: string;
  hookInstance: string;
  fhirServer?: string;
  fhirAuthorization?: FhirAuthorization;
  context: Record<string, unknown> & {
    patientId?: string;
    userId?: string;
    encounterId?: string;
    draftOrders?: Bundle;
    selections?: string[];
    appointments?: Bundle;
    /** order-dispatch: `Type/id` of the orders being dispatched, the performer they go to, and its Tasks. */
    dispatchedOrders?: string[];
    performer?: string;
    fulfillmentTasks?: Resource[];
  };
  /** key → resource, searchset Bundle, or null (the client knows there is no data). */
  prefetch?: Record<string, Resource | null>;
  extension?: Record<string, unknown>;
}

export interface CardLink {
  label: string;
  url: string;
  type: 'absolute' | 'smart';
  appContext?: string;
}

export interface CardAction {
  type: 'create' | 'update' | 'delete';
  description: string;
  resource?: Resource;
  resourceId?: string;
}

export interface Suggestion {
  label: string;
  uuid?: string;
  isRecommended?: boolean;
  actions?: CardAction[];
}

export interface Card {
  uuid?: string;
  summary: string;
  detail?: string;
  indicator: 'info' | 'warning' | 'critical';
  source: { label: string; url?: string; icon?: string; topic?: Coding };
  suggestions?: Suggestion[];
  selectionBehavior?: 'at-most-one' | 'any';
  overrideReasons?: Coding[];
  links?: CardLink[];
  extension?: Record<string, unknown>;
}

export interface HookResponse {
  cards: Card[];
  systemActions?: CardAction[];
}

export interface FeedbackItem {
  card: string;
  outcome: 'accepted' | 'overridden';
  acceptedSuggestions?: { id: string }[];
  overrideReason?: { reason?: Coding; userComment?: string };
  outcomeTimestamp: string;
}
