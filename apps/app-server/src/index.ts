import 'reflect-metadata';
export { createAppServer, startAppServer, type StartedAppServer } from './app-server';
export { appServerObservability, type AppServerObservability } from './observability';
export { AppModule } from './app.module';
