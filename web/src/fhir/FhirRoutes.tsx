import { Route, Routes } from 'react-router';
import { PageHeader } from '../components/PageHeader.tsx';

/** Placeholder until the Patients (FHIR) pages land; owned by the fhir UI. */
export function FhirRoutes() {
  return (
    <Routes>
      <Route path="*" element={<PageHeader title="Patients (FHIR)" />} />
    </Routes>
  );
}
