import 'reflect-metadata';
export { createAppServer, startAppServer, type StartedAppServer } from './app-server';
export { AppModule } from './app.module';
