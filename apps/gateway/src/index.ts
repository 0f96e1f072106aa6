import 'reflect-metadata';
export { startGateway, type StartedGateway } from './gateway';
export { GatewayModule, type GatewayModuleOptions } from './app.module';
export { routeGroup, type RequestEnd, type RequestEndObserver } from './observe/request-end';
