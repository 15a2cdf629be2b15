import * as errors from './errors.js';
import { describeErrorCatalogue } from '../../../test/helpers/error-catalogue.js';

describeErrorCatalogue('http', errors as Record<string, unknown>, errors.HTTP_ERROR_CODES, ['HttpUnauthenticatedError', 'HttpValidationError', 'HttpRouteInvalidError']);
