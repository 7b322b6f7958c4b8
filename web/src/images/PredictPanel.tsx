/** Predict one image: drop or choose a file, see calibrated probabilities, an out-of-distribution warning and an explanation. */
import { useEffect, useState } from 'react';
import { Alert, Group, Loader, Paper, SimpleGrid, Stack, Switch, Text, Title } from '@mantine/core';
import type { ModelVersion } from '../api/types.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { ScoreBars } from '../endpoints/ScoreBars.tsx';
import { predictImage, type ImagePrediction } from './api.ts';
import { AuthImage, FileDropArea } from './parts.tsx';
import { saliencyOpacities } from './read.ts';

/**
 * The image as the model sees it (shorter side resized, centre square crop: object-fit cover on a square
 * reproduces it) with the occlusion-saliency grid over it, which is defined on that crop: redder patches
 * mattered more for the predicted class.
 */
function ImageWithSaliency({ url, saliency, show }: { url: string; saliency: { grid: number; values: number[] } | null | undefined; show: boolean }) {
  const grid = saliency?.grid ?? 0;
  const alphas = saliency && grid > 0 ? saliencyOpacities(saliency.values) : [];
  return (
    <div style={{ position: 'relative', width: 'min(100%, 360px)', aspectRatio: '1 / 1' }} data-testid="images-predict-preview">
      <img src={url} alt="uploaded, centre crop" style={{ display: 'block', width: '100%', height: '100%', objectFit: 'cover', objectPosition: 'center', borderRadius: 6 }} />
      {show && grid > 0 && (
        <div
          data-testid="images-saliency"
          data-grid={grid}
          style={{ position: 'absolute', inset: 0, display: 'grid', gridTemplateColumns: `repeat(${grid}, 1fr)`, gridTemplateRows: `repeat(${grid}, 1fr)`, borderRadius: 6, overflow: 'hidden', pointerEvents: 'none' }}
        >
          {alphas.map((a, i) => (
            <div key={i} style={{ background: `rgba(250, 82, 82, ${(0.65 * a).toFixed(3)})` }} />
          ))}
        </div>
      )}
    </div>
  );
}

export function PredictPanel({ model }: { model: ModelVersion }) {
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ answer: ImagePrediction; ms: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [showSaliency, setShowSaliency] = useState(true);

  useEffect(() => {
    if (!file) return;
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const run = async (f: File) => {
    setFile(f);
    setBusy(true);
    setError(null);
    setResult(null);
    const t0 = performance.now();
    try {
      const answer = await predictImage(model.name, model.version, f, true);
      setResult({ answer, ms: performance.now() - t0 });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const answer = result?.answer;
  const ood = answer?.outOfDistribution;
  const neighbors = answer?.explanation?.neighbors ?? [];
  const scores = [...(answer?.probabilities ?? [])].sort((a, b) => b.score - a.score).map((p) => ({ Name: p.label, Score: p.score }));
  return (
    <Stack gap="md" data-testid="images-predict">
      <FileDropArea
        accept="image/jpeg,image/png,image/webp,.jpg,.jpeg,.png,.webp"
        onFile={(f) => void run(f)}
        disabled={busy}
        title={file ? `${file.name} — drop another image to predict again` : 'Drop an image here or click to choose'}
        hint="JPEG, PNG or WebP. The answer shows calibrated probabilities, the nearest training images and which patches mattered."
        testId="images-predict-dropzone"
        inputTestId="images-predict-file"
      />
      {error !== null && <ErrorAlert error={error} title="Prediction failed" />}
      {(preview || busy) && (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <Stack gap="xs">
            {preview && <ImageWithSaliency url={preview} saliency={answer?.explanation?.saliency ?? null} show={showSaliency} />}
            {answer?.explanation?.saliency && (
              <Switch
                size="sm"
                checked={showSaliency}
                onChange={(e) => setShowSaliency(e.currentTarget.checked)}
                label="Show occlusion saliency on the centre crop the model sees (red: greying out this patch lowers the predicted class's probability most)"
                data-testid="images-saliency-toggle"
              />
            )}
          </Stack>
          <Stack gap="sm">
            {busy && (
              <Group gap="xs">
                <Loader size="sm" />
                <Text size="sm">Predicting…</Text>
              </Group>
            )}
            {answer && (
              <Stack gap="sm" data-testid="images-predict-result" data-predicted={answer.predicted ?? ''}>
                <Text size="lg">
                  Predicted: <b data-testid="images-predicted">{answer.predicted ?? 'no decision'}</b>
                </Text>
                {answer.predicted === null && answer.decision?.reason && (
                  <Alert color="yellow" variant="light" title="The model abstains" data-testid="images-abstain">
                    {answer.decision.reason}
                  </Alert>
                )}
                {ood?.flag && (
                  <Alert color="orange" variant="light" title="Unlike the training images" data-testid="images-ood-warning">
                    This image is far from everything the model was trained on (distance {ood.distance.toFixed(3)} &gt; threshold {ood.threshold.toFixed(3)}). Treat the prediction with
                    caution: it may be a different kind of image, badly lit or out of focus.
                  </Alert>
                )}
                <ScoreBars scores={scores} predicted={answer.predicted ? [answer.predicted] : []} />
                <Text size="xs" c="dimmed">
                  Calibrated probabilities · answered in {Math.round(result!.ms)} ms
                  {ood && !ood.flag ? ` · in distribution (distance ${ood.distance.toFixed(3)} ≤ ${ood.threshold.toFixed(3)})` : ''}
                </Text>
              </Stack>
            )}
          </Stack>
        </SimpleGrid>
      )}
      {neighbors.length > 0 && (
        <Paper withBorder p="md" radius="md" data-testid="images-neighbors">
          <Title order={6} mb="xs">
            Most similar training images
          </Title>
          <Group gap="sm" align="flex-start">
            {neighbors.map((n) => (
              <Stack key={n.index} gap={2} align="center" data-testid="images-neighbor" data-label={n.label}>
                {n.thumbnailUrl ? (
                  <AuthImage src={n.thumbnailUrl} alt={n.path} style={{ width: 96, height: 72, objectFit: 'cover', borderRadius: 4, display: 'block' }} />
                ) : (
                  <div style={{ width: 96, height: 72 }} />
                )}
                <Text size="xs" fw={600}>
                  {n.label}
                </Text>
                <Text size="xs" c="dimmed" className="sb-num">
                  similarity {n.similarity.toFixed(2)}
                </Text>
              </Stack>
            ))}
          </Group>
        </Paper>
      )}
    </Stack>
  );
}
