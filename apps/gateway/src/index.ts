import 'reflect-metadata';
export { startGateway, type StartedGateway } from './gateway';
export { GatewayModule } from './app.module';
