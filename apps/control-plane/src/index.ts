import 'reflect-metadata';
export { startControlPlane, type StartedControlPlane } from './control-plane';
export { ControlPlaneModule } from './app.module';
