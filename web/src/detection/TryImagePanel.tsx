import { useState } from 'react';
import { Button, FileButton, Group, Image, Paper, Slider, Stack, Table, Text, Title } from '@mantine/core';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { tryImage, type PredictResult } from './api.ts';

/** Upload an image → its detections (class, score, box) and the image with the boxes drawn by the server. */
export function TryImagePanel({ modelRef }: { modelRef: string }) {
  const [minScore, setMinScore] = useState(0.25);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [out, setOut] = useState<{ result: PredictResult; drawnUrl: string } | null>(null);
  const run = async (file: File | null) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      if (out) URL.revokeObjectURL(out.drawnUrl);
      setOut(await tryImage(modelRef, file, minScore));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="md">
      <Stack>
        <Title order={4}>Try an image</Title>
        <Group align="end">
          <FileButton onChange={run} accept="image/jpeg,image/png,image/webp">
            {(props) => <Button {...props} loading={busy} data-testid="detector-try-upload">Upload an image</Button>}
          </FileButton>
          <Stack gap={2} style={{ flex: 1, maxWidth: 280 }}>
            <Text size="sm">Lowest score shown: {minScore.toFixed(2)}</Text>
            <Slider min={0} max={1} step={0.05} value={minScore} onChange={setMinScore} aria-label="Lowest score shown" />
          </Stack>
        </Group>
        {error ? <ErrorAlert error={error} title="Cannot run the detector" /> : null}
        {out ? (
          <Group align="start" wrap="wrap">
            <Image src={out.drawnUrl} alt="image with detections drawn" maw={560} data-testid="detector-drawn" />
            <Table data-testid="detector-detections" withTableBorder style={{ maxWidth: 420 }}>
              <Table.Thead><Table.Tr><Table.Th>class</Table.Th><Table.Th>score</Table.Th><Table.Th>box (x1, y1, x2, y2)</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {out.result.detections.map((d, i) => (
                  <Table.Tr key={i}><Table.Td>{d.class}</Table.Td><Table.Td>{d.score.toFixed(3)}</Table.Td><Table.Td>{[d.x1, d.y1, d.x2, d.y2].map((v) => v.toFixed(0)).join(', ')}</Table.Td></Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {out.result.detections.length === 0 ? <Text c="dimmed">No detection at or above {minScore.toFixed(2)}.</Text> : null}
          </Group>
        ) : null}
      </Stack>
    </Paper>
  );
}
