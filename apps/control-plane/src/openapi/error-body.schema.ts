import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** Every error the control plane answers with, whatever its status (the platform's `ErrorBody`). */
@ApiSchema({ name: 'ErrorBody', description: 'The body of every error answer.' })
export class ErrorBodySchema {
  @ApiProperty({ description: 'The HTTP status, repeated.', type: 'integer', example: 404 })
  statusCode!: number;

  @ApiProperty({ description: 'What went wrong, for programs: stable, upper-case.', example: 'TENANT_NOT_FOUND' })
  code!: string;

  @ApiProperty({ description: 'What went wrong, for people: it names the field or thing at fault.', example: 'no tenant with slug "initech"' })
  message!: string;

  @ApiProperty({
    description: 'The caller’s X-Request-Id when well-formed, else a new id; a 500 is logged under it.',
    example: '6f1c2a0e-3b7d-4f5e-9a41-2d8c7e0b5a13',
  })
  requestId!: string;
}
