import 'reflect-metadata';
export { startGateway, type StartedGateway } from './gateway';
export { GatewayModule } from './app.module';
export { gatewayObservability, type GatewayObservability } from './observe/gateway-observability';
export { routeGroup, type RequestEnd, type RequestEndObserver } from './observe/request-end';
