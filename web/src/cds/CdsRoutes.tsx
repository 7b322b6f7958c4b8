import { Route, Routes } from 'react-router';
import { PageHeader } from '../components/PageHeader.tsx';

/** Placeholder until the CDS Hooks pages land; owned by the cds UI. */
export function CdsRoutes() {
  return (
    <Routes>
      <Route path="*" element={<PageHeader title="CDS Hooks" />} />
    </Routes>
  );
}
