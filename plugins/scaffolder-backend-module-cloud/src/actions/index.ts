export type { CloudActionOptions } from './cloudRequest';
export { createCloudStackDeployAction } from './stackDeploy';
export { createCloudStackDeleteAction } from './stackDelete';
export { createCloudStackScaleAction } from './stackScale';
export { createCloudNodeScriptAction } from './nodeScript';
