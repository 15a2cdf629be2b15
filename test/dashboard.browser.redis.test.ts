/** The dashboard in a real Chromium against `xcore start` on a real redis-server (see helpers/dashboard-suite.ts). */
import { dashboardSuite } from './helpers/dashboard-suite.js';

dashboardSuite('redis');
