import { Route, Routes } from 'react-router';
import { CatalogPage } from './CatalogPage.tsx';
import { LibraryPage } from './LibraryPage.tsx';
import { PolicyPage } from './PolicyPage.tsx';

/** Payer rules (CQL): catalog, library editor + test panel, policy table. */
export function RulesRoutes() {
  return (
    <Routes>
      <Route index element={<CatalogPage />} />
      <Route path="policy" element={<PolicyPage />} />
      <Route path="new" element={<LibraryPage />} />
      <Route path=":name" element={<LibraryPage />} />
    </Routes>
  );
}
