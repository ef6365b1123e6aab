import { Route, Routes } from 'react-router-dom';
import { MonitoringPage } from './MonitoringPage';
import { ResourcesPage } from './ResourcesPage';
import { StackPage } from './StackPage';
import { UsagePage } from './UsagePage';

/** The cloud plugin's pages under its root route. */
export const CloudPage = () => (
  <Routes>
    <Route path="/" element={<ResourcesPage />} />
    <Route path="/stacks/:stackId" element={<StackPage />} />
    <Route path="/usage" element={<UsagePage />} />
    <Route path="/monitoring" element={<MonitoringPage />} />
  </Routes>
);
