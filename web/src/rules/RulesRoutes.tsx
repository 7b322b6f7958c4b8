import { Route, Routes } from 'react-router';
import { PageHeader } from '../components/PageHeader.tsx';

/** Placeholder until the Payer rules pages land; owned by the rules UI. */
export function RulesRoutes() {
  return (
    <Routes>
      <Route path="*" element={<PageHeader title="Payer rules" />} />
    </Routes>
  );
}
