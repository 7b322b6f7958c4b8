/** Small building blocks of the image pages: authenticated images, a file drop area, a job follower with ETA and Cancel. */
import { useEffect, useRef, useState, type CSSProperties, type DragEvent, type ReactNode } from 'react';
import { Stack, Text } from '@mantine/core';
import { getToken } from '../api/client.ts';
import type { Job } from '../api/types.ts';
import { UploadIcon } from '../components/icons.tsx';
import { JobProgress } from '../components/JobProgress.tsx';
import { fetchImageBlobUrl } from './api.ts';

/**
 * Object URLs of images fetched with a bearer token, by URL and token, shared by every AuthImage: a thumbnail that
 * re-mounts (another label column, back to the wizard) is shown again without asking the server. Bounded; the
 * oldest entries are revoked first.
 */
const blobCache = new Map<string, Promise<string>>();
const BLOB_CACHE_MAX = 400;

function cachedBlobUrl(src: string, token: string): Promise<string> {
  const key = `${token}\n${src}`;
  let hit = blobCache.get(key);
  if (!hit) {
    hit = fetchImageBlobUrl(src);
    blobCache.set(key, hit);
    hit.catch(() => blobCache.delete(key));
    while (blobCache.size > BLOB_CACHE_MAX) {
      const [oldest, url] = blobCache.entries().next().value as [string, Promise<string>];
      blobCache.delete(oldest);
      url.then((u) => URL.revokeObjectURL(u), () => undefined);
    }
  }
  return hit;
}

/**
 * An <img> for an API URL. Without a token the browser loads it lazily itself (and keeps it by the server's
 * Cache-Control/ETag); with a bearer token (which <img> cannot send) it is fetched once and shown from an object URL.
 */
export function AuthImage({ src, alt, style, 'data-testid': testId }: { src: string; alt: string; style?: CSSProperties; 'data-testid'?: string }) {
  const token = getToken();
  const [blobUrl, setBlobUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!token) return;
    let live = true;
    cachedBlobUrl(src, token).then(
      (u) => live && setBlobUrl(u),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [src, token]);
  const shown = token ? blobUrl : src;
  if (!shown) return <div style={{ ...style, background: 'var(--mantine-color-default-hover)' }} data-testid={testId} />;
  return <img src={shown} alt={alt} loading="lazy" decoding="async" style={style} data-testid={testId} />;
}

interface DropProps {
  accept: string;
  onFile: (file: File) => void;
  disabled?: boolean;
  title: ReactNode;
  hint: ReactNode;
  testId: string;
  inputTestId: string;
}

/** A drop area (native drag events) that also opens the file picker on click or Enter. */
export function FileDropArea({ accept, onFile, disabled = false, title, hint, testId, inputTestId }: DropProps) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDragging(false);
    const f = e.dataTransfer.files?.[0];
    if (f && !disabled) onFile(f);
  };
  return (
    <div
      className="sb-dropzone"
      role="button"
      tabIndex={0}
      data-active={dragging}
      data-testid={testId}
      onClick={() => !disabled && inputRef.current?.click()}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && !disabled && inputRef.current?.click()}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <Stack align="center" gap={4}>
        <UploadIcon size={28} />
        <Text fw={600}>{title}</Text>
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      </Stack>
      <input
        ref={inputRef}
        type="file"
        hidden
        accept={accept}
        data-testid={inputTestId}
        onChange={(e) => {
          const f = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (f) onFile(f);
        }}
      />
    </div>
  );
}

interface FollowProps {
  initial: Job;
  /** Shown while it runs. */
  runningLabel: string;
  title: string;
  onSucceeded?: (job: Job) => void;
  onFinished?: (ok: boolean) => void;
  testId: string;
  children?: (job: Job) => ReactNode;
}

/** Follows a job with its time left and Cancel (components/JobProgress), titled for the image pages. */
export function JobFollower({ title, testId, ...rest }: FollowProps) {
  return <JobProgress {...rest} testIds={{ running: testId, failed: `${testId}-failed`, bar: `${testId}-bar` }} failedTitle={(status) => `${title}: ${status}`} cancellable />;
}
