import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Min } from 'class-validator';
import { POOL_STATUSES, type PoolStatus } from '../pool.record';

const UPSTREAM_URL = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class CreatePoolDto {
  @Matches(/^[a-z][a-z0-9-]{0,30}$/, { message: 'name must be a lowercase letter followed by up to 30 letters, digits or hyphens' })
  name!: string;

  @IsInt({ message: 'release must be a whole number' })
  @Min(1, { message: 'release must be at least 1' })
  release!: number;

  @IsString({ message: 'databaseUrl is required' })
  @Matches(/^postgres(ql)?:\/\//, { message: 'databaseUrl must be a postgres:// URL with rights to create roles and schemas' })
  databaseUrl!: string;

  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'appRole must be the name of the login role the pool app servers use' })
  appRole!: string;

  @IsOptional()
  @IsArray({ message: 'upstreams must be an array of app-server base URLs' })
  @ArrayMaxSize(64)
  @IsUrl(UPSTREAM_URL, { each: true, message: 'each upstream must be an http(s) base URL such as http://10.0.0.5:3201' })
  upstreams?: string[];
}

export class UpdatePoolDto {
  @IsOptional()
  @IsArray({ message: 'upstreams must be an array of app-server base URLs' })
  @ArrayMaxSize(64)
  @IsUrl(UPSTREAM_URL, { each: true, message: 'each upstream must be an http(s) base URL such as http://10.0.0.5:3201' })
  upstreams?: string[];

  @IsOptional()
  @IsIn(POOL_STATUSES as PoolStatus[], { message: `status must be one of ${POOL_STATUSES.join(', ')}` })
  status?: PoolStatus;
}
