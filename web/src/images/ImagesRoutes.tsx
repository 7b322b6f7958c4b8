import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../layout/NotFoundPage.tsx';
import { ImageModelPage } from './ImageModelPage.tsx';
import { ImageModelsPage } from './ImageModelsPage.tsx';
import { NewImageClassifierPage } from './NewImageClassifierPage.tsx';

/** /images/*: list, the build wizard and the model page (relative routes; App.tsx mounts them under /images). */
export function ImagesRoutes() {
  return (
    <Routes>
      <Route index element={<ImageModelsPage />} />
      <Route path="new" element={<NewImageClassifierPage />} />
      <Route path="models/:name/:version" element={<ImageModelPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
