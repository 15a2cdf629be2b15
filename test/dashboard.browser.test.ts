/** The dashboard in a real Chromium against `xcore start` on the memory store (see helpers/dashboard-suite.ts). */
import { dashboardSuite } from './helpers/dashboard-suite.js';

dashboardSuite('memory');
