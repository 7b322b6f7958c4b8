import { Route, Routes } from 'react-router';
import { PatientPage } from './PatientPage.tsx';
import { PatientsPage } from './PatientsPage.tsx';

/** Patients (FHIR): the embedded store's patients, import, and one patient's data as the CDS rules see it. */
export function FhirRoutes() {
  return (
    <Routes>
      <Route index element={<PatientsPage />} />
      <Route path="patients/:id" element={<PatientPage />} />
      <Route path="*" element={<PatientsPage />} />
    </Routes>
  );
}
