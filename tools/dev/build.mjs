// `npm run build`: compile every app and lib into dist/.
import { build, ensureDependencies } from './platform.mjs';

ensureDependencies();
build();
