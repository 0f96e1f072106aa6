import 'reflect-metadata';
export { controlPlaneObservability, startControlPlane, type StartedControlPlane } from './control-plane';
export { ControlPlaneModule } from './app.module';
