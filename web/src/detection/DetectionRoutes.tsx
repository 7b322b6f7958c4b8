import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../layout/NotFoundPage.tsx';
import { DetectorPage } from './DetectorPage.tsx';
import { DetectorsPage } from './DetectorsPage.tsx';

/** /detection/*: the detector list and a detector's page (App.tsx mounts them under /detection). */
export function DetectionRoutes() {
  return (
    <Routes>
      <Route index element={<DetectorsPage />} />
      <Route path="models/:name/:version" element={<DetectorPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
