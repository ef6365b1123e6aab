import { ReactRouterV6PageRouter } from '@backstage/frontend-adapter-react-router-v6';
import { Route, Routes } from 'react-router-dom';
import { ProductPage } from './ProductPage/ProductPage';
import { StorePage } from './StorePage/StorePage';

/** The store's pages: the shop window and product datasheets. */
export function StoreRouter() {
  return (
    <ReactRouterV6PageRouter>
      <Routes>
        <Route path="/" element={<StorePage />} />
        <Route path="/products/:namespace/:name" element={<ProductPage />} />
      </Routes>
    </ReactRouterV6PageRouter>
  );
}
