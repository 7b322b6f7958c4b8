/**
 * One table of model kinds for the whole UI: the registry's kind names (src/domains/{text,images,llm}: TEXT_MODEL_KIND,
 * IMAGE_MODEL_KIND, LLM_MODEL_KIND), their human labels, and the page each kind's versions open on.
 */
const enc = encodeURIComponent;

export interface ModelKind {
  label: string;
  /** The page of one version of this kind. */
  path(name: string, version: number): string;
}

export const MODEL_KINDS: Record<string, ModelKind> = {
  'text-classifier': { label: 'Text classifier', path: (n, v) => `/models/${enc(n)}/${v}` },
  'image-classifier': { label: 'Image classifier', path: (n, v) => `/images/models/${enc(n)}/${v}` },
  llm: { label: 'LLM (GGUF)', path: () => '/llm' },
};

/** The label of a kind; an unknown kind reads as itself. */
export function kindLabel(kind: string | null | undefined): string {
  if (!kind) return '—';
  return MODEL_KINDS[kind]?.label ?? kind;
}

/** The page of a model version for its kind (unknown kinds open the registry's generic model page). */
export function modelPageFor(m: { name: string; version: number; kind?: string | null }): string {
  return (m.kind ? MODEL_KINDS[m.kind] : undefined)?.path(m.name, m.version) ?? `/models/${enc(m.name)}/${m.version}`;
}
