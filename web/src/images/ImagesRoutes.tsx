import { Route, Routes } from 'react-router';
import { PageHeader } from '../components/PageHeader.tsx';

/** Placeholder until the Images pages land; owned by the images UI. */
export function ImagesRoutes() {
  return (
    <Routes>
      <Route path="*" element={<PageHeader title="Images" />} />
    </Routes>
  );
}
