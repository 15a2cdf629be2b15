import * as errors from './errors.js';
import { describeErrorCatalogue } from '../../../test/helpers/error-catalogue.js';

describeErrorCatalogue('dashboard', errors as Record<string, unknown>, errors.DASHBOARD_ERROR_CODES, []);
