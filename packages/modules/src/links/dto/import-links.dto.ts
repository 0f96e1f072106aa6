import { IsArray } from 'class-validator';

/**
 * The JSON API's shape check: a list. Its size and its entries are LinkImportsService's to
 * judge (the page's form comes through there too); each row's fields are the job's.
 */
export class ImportLinksDto {
  @IsArray({ message: 'links is required and must be an array of {"url": "…", "code": "…"} objects' })
  links!: unknown[];
}
